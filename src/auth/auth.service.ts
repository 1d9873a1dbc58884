import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { emailIndexes } from '../database/columns';
import { ANONYMOUS, AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { SessionsService } from '../sessions/sessions.service';
import { User } from '../users/user.entity';
import { Worker } from '../workers/worker.entity';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password';
import { signInCounters, SignInThrottle } from './sign-in-throttle';
import { Organization } from '../organizations/organization.entity';
import { AccountLinksService } from './account-links.service';
import { addressHolder, enrolWorker, makeRoomForProved, proved } from './address-proof';
import { enrollmentCodeHash } from './tokens';

export interface SignedIn {
  token: string;
  expiresAt: string;
  user: { id: string; role: string; displayName: string };
}

@Injectable()
export class AuthService {
  /** Verified against when the e-mail is unknown: the same profile, so the same cost as a real check. */
  private readonly decoy: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly throttle: SignInThrottle,
    private readonly links: AccountLinksService,
  ) {
    this.decoy = decoyHash(config.passwordHashMemoryKiB);
  }

  /**
   * Password sign-in from `clientAddress` (the request's address, as
   * TRUST_PROXY allows it to be known). A known and an unknown e-mail answer
   * alike in every state, after the same work: the attempt is counted on
   * counters keyed by the address typed and the client (SignInThrottle),
   * then, unless throttled, the password is verified against the account's
   * hash or a decoy of the same cost. A legacy scrypt hash is replaced by
   * argon2id once the password has proved right.
   * @throws DomainError `auth.sign_in_throttled` (429, `retryAfterSeconds`), `auth.sign_in_failed` (401)
   */
  async login(email: string, password: string, clientAddress: string | undefined): Promise<SignedIn> {
    const address = email.trim().toLowerCase();
    // The address is encrypted at rest: found by its blind index (under every loaded key, for a rotation).
    const user = await this.db.getRepository(User).findOneBy({ emailIndex: In(emailIndexes(address)) });
    const counters = signInCounters(address, clientAddress);
    const gate = await this.throttle.attempt(counters);
    const failed = (reason: string) =>
      this.audit.append({
        action: 'auth.sign_in_failed',
        actor: ANONYMOUS,
        targetType: 'user',
        targetId: user?.id ?? null,
        details: { reason },
      });
    if (gate.throttled) {
      await failed('throttled');
      throw new DomainError('auth.sign_in_throttled', { retryAfterSeconds: gate.retryAfterSeconds });
    }
    const ok = await verifyPassword(password, user?.passwordHash ?? this.decoy);
    if (!user || !ok) {
      await failed(user ? 'wrong_password' : 'unknown_account');
      throw new DomainError('auth.sign_in_failed');
    }
    const rehashed = needsRehash(user.passwordHash, this.config.passwordHashMemoryKiB)
      ? await hashPassword(password, this.config.passwordHashMemoryKiB)
      : null;
    // One transaction with the session and its audit event: the attempt taken back, the legacy hash replaced
    // (unless another instance replaced it first).
    return this.signIn(user, true, async (m) => {
      await this.throttle.succeeded(counters, m);
      if (rehashed) await m.update(User, { id: user.id, passwordHash: user.passwordHash }, { passwordHash: rehashed });
    });
  }

  /**
   * A worker's first sign-in: a one-time code plus a password of their
   * choosing. Either code enrols: the one the manager hands out, or the one
   * the invitation e-mail carries, which also proves the address (it went
   * only to the address). The code works once and expires: it is consumed by
   * a conditional update, so of two enrolments with one code at once (two
   * instances) one signs in and the other gets 409 `enrollment.code_used`.
   *
   * The address (docs/accounts-and-access.md, "Proof of address"): free, the
   * account is created; held by a proved account, 409; held by an unproved
   * one, an enrolment that proves the address displaces it, one that does
   * not (the manager's code) waits: a proof link goes to the address and the
   * answer is `{ addressProofSent: true }` (the account is created when it is used).
   * An account created unproved is sent a link to prove its address later.
   * @throws DomainError `enrollment.code_invalid` (400: unknown, used or expired), `account.address_taken` (409),
   *   `enrollment.code_used` (409)
   */
  async enroll(code: string, password: string): Promise<SignedIn | { addressProofSent: true }> {
    const codeHash = enrollmentCodeHash(code);
    const passwordHash = await hashPassword(password, this.config.passwordHashMemoryKiB);
    const user = await this.tx.run(async (m) => {
      const worker = await m.findOne(Worker, { where: [{ enrollmentCodeHash: codeHash }, { invitationCodeHash: codeHash }] });
      const byInvitation = !!worker && worker.invitationCodeHash === codeHash;
      const expiresAt = byInvitation ? worker.invitationCodeExpiresAt : worker?.enrollmentCodeExpiresAt;
      if (!worker || !expiresAt || expiresAt <= new Date()) {
        throw new DomainError('enrollment.code_invalid', {}, 'enrollmentCode');
      }
      const now = new Date();
      const userId = randomUUID();
      const holder = await addressHolder(m, worker.email);
      const organization = (await m.findOneBy(Organization, { id: worker.organizationId }))?.name;
      if (holder && !proved(holder) && !byInvitation) {
        // Neither can prove the address yet: whoever proves it first keeps it.
        await this.links.sendAddressProof(
          m,
          { email: worker.email },
          'enrollment',
          ANONYMOUS,
          { kind: 'enrollment', workerId: worker.id, passwordHash },
          organization,
        );
        await this.audit.record(m, {
          action: 'auth.enrollment_pending',
          actor: ANONYMOUS,
          targetType: 'worker',
          targetId: worker.id,
          details: { organizationId: worker.organizationId },
        });
        return null;
      }
      if (holder) await makeRoomForProved(m, this.audit, worker.email, { actor: ANONYMOUS, newUserId: userId }, now);
      const u = await enrolWorker(
        m,
        this.audit,
        worker,
        {
          userId,
          passwordHash,
          proved: byInvitation,
          codeMatch: byInvitation ? { invitationCodeHash: codeHash } : { enrollmentCodeHash: codeHash },
          codeField: 'enrollmentCode',
        },
        now,
      );
      if (!byInvitation) await this.links.sendAddressProof(m, { email: u.email, userId: u.id }, 'confirm', u, undefined, organization);
      return u;
    });
    return user ? this.signIn(user) : { addressProofSent: true };
  }

  /** With `audited`, the sign-in's event is recorded in the session's transaction (an enrolment has its own event). */
  private async signIn(user: User, audited = false, also?: (m: EntityManager) => Promise<void>): Promise<SignedIn> {
    const record = async (m: EntityManager) => {
      await also?.(m);
      if (audited) await this.audit.record(m, { action: 'auth.sign_in', actor: user, targetType: 'user', targetId: user.id });
    };
    const { token, expiresAt } = await this.sessions.open(user.id, record);
    return { token, expiresAt: expiresAt.toISOString(), user: { id: user.id, role: user.role, displayName: user.displayName } };
  }
}
