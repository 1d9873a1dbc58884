import {
  ConflictException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  UnauthorizedException,
  BadRequestException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ANONYMOUS, AuditService } from '../audit/audit.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DomainError } from '../common/errors/domain-error';
import { conditionalUpdate } from '../database/conditional-update';
import { TransactionService } from '../database/transaction.service';
import { SessionsService } from '../sessions/sessions.service';
import { User } from '../users/user.entity';
import { Worker } from '../workers/worker.entity';
import { decoyHash, hashPassword, verifyPassword } from './password';
import { enrollmentCodeHash } from './tokens';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export interface SignedIn {
  token: string;
  expiresAt: string;
  user: { id: string; role: string; displayName: string };
}

@Injectable()
export class AuthService {
  /** Verified against when the e-mail is unknown, so both failures take the same time. */
  private readonly dummyHash: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {
    this.dummyHash = decoyHash(config.scryptLogN);
  }

  /**
   * Unknown e-mail and wrong password give the same 401 after the same work.
   * Five failures within 15 minutes lock the account for 15 minutes (in the
   * database, so it holds across instances and restarts): 429, even for the right password.
   */
  async login(email: string, password: string): Promise<SignedIn> {
    const user = await this.db.getRepository(User).findOneBy({ email: email.trim().toLowerCase() });
    const now = new Date();
    if (user?.lockedUntil && user.lockedUntil > now) {
      await this.audit.append({
        action: 'auth.sign_in_failed',
        actor: ANONYMOUS,
        targetType: 'user',
        targetId: user.id,
        details: { reason: 'locked' },
      });
      throw new HttpException('Too many failed sign-ins; try again later', HttpStatus.TOO_MANY_REQUESTS);
    }
    const ok = await verifyPassword(password, user?.passwordHash ?? this.dummyHash);
    if (!user || !ok) {
      if (user) await this.recordFailure(user.id, now);
      else
        await this.audit.append({
          action: 'auth.sign_in_failed',
          actor: ANONYMOUS,
          targetType: 'user',
          details: { reason: 'unknown_account' },
        });
      throw new UnauthorizedException('E-mail or password is wrong');
    }
    if (user.failedLogins > 0 || user.lockedUntil) {
      await this.tx.run((m) => m.update(User, { id: user.id }, { failedLogins: 0, failedLoginWindowStart: null, lockedUntil: null }));
    }
    return this.signIn(user, true);
  }

  private async recordFailure(userId: string, now: Date): Promise<void> {
    await this.tx.run(async (m) => {
      const u = await m.findOneByOrFail(User, { id: userId });
      const windowOpen = u.failedLoginWindowStart && now.getTime() - u.failedLoginWindowStart.getTime() < LOCKOUT_MINUTES * 60_000;
      const failedLogins = windowOpen ? u.failedLogins + 1 : 1;
      await m.update(
        User,
        { id: userId },
        {
          failedLogins,
          failedLoginWindowStart: windowOpen ? u.failedLoginWindowStart : now,
          lockedUntil: failedLogins >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null,
        },
      );
      await this.audit.record(m, {
        action: 'auth.sign_in_failed',
        actor: ANONYMOUS,
        targetType: 'user',
        targetId: userId,
        details: { reason: 'wrong_password', failedLogins, locked: failedLogins >= MAX_FAILED_LOGINS },
      });
    });
  }

  /**
   * A worker's first sign-in: the one-time code from their manager plus a
   * password of their choosing. The code works once and expires: it is
   * consumed by a conditional update, so of two enrolments with one code at
   * once (two instances) one signs in and the other gets 409 `enrollment.code_used`.
   */
  async enroll(code: string, password: string): Promise<SignedIn> {
    const codeHash = enrollmentCodeHash(code);
    const passwordHash = await hashPassword(password, this.config.scryptLogN);
    const user = await this.tx.run(async (m) => {
      const worker = await m.findOneBy(Worker, { enrollmentCodeHash: codeHash });
      if (!worker || !worker.enrollmentCodeExpiresAt || worker.enrollmentCodeExpiresAt <= new Date()) {
        throw new BadRequestException({
          message: 'Invalid input: enrollmentCode',
          details: [{ field: 'enrollmentCode', messages: ['is unknown, already used or expired'] }],
        });
      }
      if (await m.existsBy(User, { email: worker.email })) throw new ConflictException('An account with this e-mail already exists');
      const now = new Date();
      const consumed = await conditionalUpdate(
        m,
        Worker,
        { id: worker.id, enrollmentCodeHash: codeHash },
        { enrollmentCodeHash: null, enrollmentCodeExpiresAt: null, enrolledAt: now, updatedAt: now },
      );
      if (!consumed) throw new DomainError('enrollment.code_used', {}, 'enrollmentCode');
      const u: User = {
        id: randomUUID(),
        email: worker.email,
        displayName: worker.name,
        role: 'worker',
        passwordHash,
        municipalityId: null,
        organizationId: worker.organizationId,
        workerId: worker.id,
        failedLogins: 0,
        failedLoginWindowStart: null,
        lockedUntil: null,
        createdAt: new Date(),
      };
      await m.insert(User, u);
      await this.audit.record(m, {
        action: 'auth.enrolled',
        actor: u,
        targetType: 'worker',
        targetId: worker.id,
        details: { organizationId: worker.organizationId },
      });
      return u;
    });
    return this.signIn(user);
  }

  /** With `audited`, the sign-in's event is recorded in the session's transaction (an enrolment has its own event). */
  private async signIn(user: User, audited = false): Promise<SignedIn> {
    const record = (m: EntityManager) =>
      this.audit.record(m, { action: 'auth.sign_in', actor: user, targetType: 'user', targetId: user.id });
    const { token, expiresAt } = await this.sessions.open(user.id, audited ? record : undefined);
    return { token, expiresAt: expiresAt.toISOString(), user: { id: user.id, role: user.role, displayName: user.displayName } };
  }
}
