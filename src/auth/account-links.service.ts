import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { emailIndexes } from '../database/columns';
import { ANONYMOUS, AuditService, type AuditActor } from '../audit/audit.service';
import type { AuthUser } from './auth-user';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { conditionalUpdate } from '../database/conditional-update';
import { TransactionService } from '../database/transaction.service';
import { mailLinks } from '../mail/links';
import type { MailParams } from '../mail/mail-kinds';
import { OutboxService } from '../mail/outbox.service';
import { Organization } from '../organizations/organization.entity';
import { Session } from '../sessions/session.entity';
import { SessionsService } from '../sessions/sessions.service';
import { User, type Role } from '../users/user.entity';
import { Worker } from '../workers/worker.entity';
import { createProvedAccount, enrolWorker, makeRoomForProved, proved } from './address-proof';
import { EmailToken, type EmailTokenPurpose } from './email-token.entity';
import { hashPassword } from './password';
import { ADDRESS_PROOF_DAYS, enrollmentCodeHash, issueEmailCode, MANAGER_INVITATION_DAYS, PASSWORD_RESET_MINUTES } from './tokens';

const DAY = 86400_000;

/** The account waiting for a proof of address, kept in the token's payload. */
export type PendingAccount =
  | { kind: 'enrollment'; workerId: string; passwordHash: string }
  | {
      kind: 'account';
      userId: string;
      displayName: string;
      role: Exclude<Role, 'worker'>;
      municipalityId: string | null;
      organizationId: string | null;
      passwordHash: string;
      createdBy: string;
    };

export interface SignedInAccount {
  token: string;
  expiresAt: string;
  user: { id: string; role: string; displayName: string };
}

/** What a used code led to: an address proved, or an account created and signed in. */
export type ProofOutcome = { kind: 'proved' } | { kind: 'signed_in'; signedIn: SignedInAccount };

/**
 * The flows that start with a code sent by e-mail (docs/mail.md,
 * docs/accounts-and-access.md): password reset, proof of address (with the
 * accounts that wait for it), manager invitations. Codes are enrollment-code
 * shaped (tokens.ts), stored hashed, work once and expire; every answer about
 * an unknown, used or expired code is the same 400 `account.code_invalid`.
 */
@Injectable()
export class AccountLinksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get links() {
    return mailLinks(this.config.publicBaseUrl);
  }

  // ---- password reset ----

  /**
   * "パスワードを忘れた方": sends a one-time link, valid PASSWORD_RESET_MINUTES,
   * to the address if an account holds it. The caller answers the same
   * whatever happened (known or unknown address, rate limited or not): the
   * only difference is whether a message row is written. Audited either way.
   */
  async requestPasswordReset(email: string): Promise<void> {
    const user = await this.db.getRepository(User).findOneBy({ emailIndex: In(emailIndexes(email)) });
    await this.tx.run(async (m) => {
      if (user) {
        const { code, token } = await this.issue(m, 'password_reset', { userId: user.id, email }, PASSWORD_RESET_MINUTES * 60_000);
        await this.outbox.enqueue(
          m,
          {
            kind: 'password_reset',
            to: email,
            userId: user.id,
            key: `password-reset:${token.id}`,
            params: { link: this.links.passwordReset(code), code, expiresAt: token.expiresAt.toISOString() },
          },
          ANONYMOUS,
        );
      }
      await this.audit.record(m, {
        action: 'auth.password_reset_requested',
        actor: ANONYMOUS,
        targetType: 'user',
        targetId: user?.id ?? null,
      });
    });
  }

  /**
   * Sets a new password with the code of a reset message: the code works
   * once; every session of the account ends (OWASP Forgot Password Cheat
   * Sheet); the address counts as proved (the code came back from it).
   * @throws DomainError `account.code_invalid` (400, field `code`)
   */
  async resetPassword(code: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password, this.config.passwordHashMemoryKiB);
    await this.tx.run(async (m) => {
      const { token } = await this.use(m, 'password_reset', code);
      const user = await m.findOneBy(User, { id: token.userId ?? '' });
      if (!user || user.email !== token.email) throw new DomainError('account.code_invalid', {}, 'code');
      const now = new Date();
      await m.update(User, { id: user.id }, { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? now });
      await m.update(Session, { userId: user.id, revokedAt: IsNull() }, { revokedAt: now });
      await m.update(EmailToken, { userId: user.id, purpose: 'password_reset', usedAt: IsNull() }, { usedAt: now });
      await this.audit.record(m, {
        action: 'auth.password_reset',
        actor: { id: user.id, role: user.role },
        targetType: 'user',
        targetId: user.id,
      });
    });
  }

  // ---- proof of address ----

  /**
   * Sends an address-proof link for an account (reason `confirm`), or for an
   * account waiting to be created at an address an unproved account holds
   * (reason `enrollment` / `account`, with `pending`). In the caller's transaction.
   */
  async sendAddressProof(
    m: EntityManager,
    to: { email: string; userId?: string },
    reason: MailParams['address_proof']['reason'],
    actor: AuditActor,
    pending?: PendingAccount,
    organization?: string,
  ): Promise<void> {
    const { code, token } = await this.issue(
      m,
      'address_proof',
      { userId: to.userId ?? null, email: to.email, payload: pending ?? null },
      ADDRESS_PROOF_DAYS * DAY,
    );
    await this.outbox.enqueue(
      m,
      {
        kind: 'address_proof',
        to: to.email,
        userId: to.userId ?? null,
        key: `address-proof:${token.id}`,
        params: {
          reason,
          link: this.links.confirmAddress(code),
          code,
          expiresAt: token.expiresAt.toISOString(),
          ...(organization ? { organization } : {}),
        },
      },
      actor,
    );
  }

  /**
   * Uses an address-proof code: proves the address of the account it was
   * sent for (the caller signed in as that account), or creates the account
   * that waited for it (displacing an unproved holder of the address) and signs it in.
   * @throws DomainError `account.code_invalid` (400), `account.sign_in_required` (401: the code proves an account's
   *   address and the caller is not signed in as it), `account.address_taken` (409: a proved account holds the address),
   *   `enrollment.code_used` (409: the worker enrolled meanwhile)
   */
  async proveAddress(code: string, signedIn?: Pick<AuthUser, 'id'>): Promise<ProofOutcome> {
    const created = await this.tx.run(async (m) => {
      // Proving an existing account's address takes its password too (signed in as it): a code alone, sent to an
      // address someone else registered, would otherwise let its owner confirm the squatter's account for them.
      const { token } = await this.use(m, 'address_proof', code, (found) => {
        if (!found.payload && found.userId !== signedIn?.id) throw new DomainError('account.sign_in_required');
      });
      const pending = token.payload as PendingAccount | null;
      const now = new Date();
      if (!pending) {
        const user = await m.findOneBy(User, { id: token.userId ?? '' });
        if (!user || user.email !== token.email) throw new DomainError('account.code_invalid', {}, 'code');
        if (!proved(user)) await m.update(User, { id: user.id }, { emailVerifiedAt: now });
        await this.audit.record(m, {
          action: 'user.address_proved',
          actor: { id: user.id, role: user.role },
          targetType: 'user',
          targetId: user.id,
        });
        return null;
      }
      if (pending.kind === 'enrollment') return this.finishEnrollment(m, pending, token.email, now);
      return createProvedAccount(
        m,
        this.audit,
        {
          id: pending.userId,
          email: token.email,
          displayName: pending.displayName,
          role: pending.role,
          passwordHash: pending.passwordHash,
          municipalityId: pending.municipalityId,
          organizationId: pending.organizationId,
          workerId: null,
        },
        {
          actor: ANONYMOUS,
          details: { municipalityId: pending.municipalityId, organizationId: pending.organizationId, createdBy: pending.createdBy },
        },
        now,
      );
    });
    return created ? { kind: 'signed_in', signedIn: await this.signIn(created) } : { kind: 'proved' };
  }

  /** A worker's enrolment that waited for the proof: the worker's codes are consumed and the account created, proved. */
  private async finishEnrollment(m: EntityManager, pending: Extract<PendingAccount, { kind: 'enrollment' }>, email: string, now: Date) {
    const worker = await m.findOneBy(Worker, { id: pending.workerId });
    if (!worker || worker.email !== email) throw new DomainError('account.code_invalid', {}, 'code');
    const userId = randomUUID();
    await makeRoomForProved(m, this.audit, email, { actor: ANONYMOUS, newUserId: userId }, now);
    return enrolWorker(
      m,
      this.audit,
      worker,
      { userId, passwordHash: pending.passwordHash, proved: true, codeMatch: { enrolledAt: IsNull() }, codeField: 'code' },
      now,
    );
  }

  // ---- manager invitations ----

  /**
   * Invites `email` to become a manager of an organization: one newly
   * registered (the town's or a parent's "new company" forms, POST
   * /organizations with `contactEmail`), or one still without a manager
   * (OrganizationsService.inviteManager, with the invitee's `name` for the
   * greeting). In the caller's transaction: the organization, or the
   * cancellation of earlier invitations, and the invitation commit together.
   * Answers when the invitation expires.
   */
  async inviteManager(
    m: EntityManager,
    org: Pick<Organization, 'id' | 'name'>,
    email: string,
    registrar: string,
    actor: AuditActor,
    name?: string,
  ): Promise<{ expiresAt: Date }> {
    const { code, token } = await this.issue(m, 'manager_invitation', { organizationId: org.id, email }, MANAGER_INVITATION_DAYS * DAY);
    await this.outbox.enqueue(
      m,
      {
        kind: 'manager_invitation',
        to: email,
        key: `manager-invitation:${token.id}`,
        params: {
          organization: org.name,
          registrar,
          link: this.links.invitation(code),
          code,
          expiresAt: token.expiresAt.toISOString(),
          ...(name ? { name } : {}),
        },
      },
      actor,
    );
    await this.audit.record(m, { action: 'organization.manager_invited', actor, targetType: 'organization', targetId: org.id });
    return { expiresAt: token.expiresAt };
  }

  /**
   * Ends the organization's manager invitations not used yet (a conditional
   * update: one accepted meanwhile stays accepted), so that only the next one
   * works: a mistyped address stops working when the right one is invited.
   * In the caller's transaction. Answers how many were cancelled.
   */
  async cancelManagerInvitations(m: EntityManager, organizationId: string): Promise<number> {
    const r = await m.update(EmailToken, { organizationId, purpose: 'manager_invitation', usedAt: IsNull() }, { usedAt: new Date() });
    return r.affected ?? 0;
  }

  /**
   * Of the given organizations, those with a manager invitation that can
   * still be accepted (not used, not expired), with its latest expiry.
   */
  async openManagerInvitations(organizationIds: readonly string[]): Promise<Map<string, Date>> {
    const out = new Map<string, Date>();
    if (!organizationIds.length) return out;
    const now = new Date();
    const tokens = await this.db.getRepository(EmailToken).find({
      select: { id: true, organizationId: true, expiresAt: true },
      where: { purpose: 'manager_invitation', organizationId: In([...organizationIds]), usedAt: IsNull() },
    });
    for (const tk of tokens) {
      if (!tk.organizationId || tk.expiresAt <= now) continue;
      const known = out.get(tk.organizationId);
      if (!known || known < tk.expiresAt) out.set(tk.organizationId, tk.expiresAt);
    }
    return out;
  }

  /**
   * Accepts a manager invitation: a manager account of the organization at
   * the invited address, proved (the code came back from it), signed in.
   * @throws DomainError `account.code_invalid` (400), `account.address_taken` (409: a proved account holds the address)
   */
  async acceptInvitation(code: string, displayName: string, password: string): Promise<SignedInAccount> {
    const passwordHash = await hashPassword(password, this.config.passwordHashMemoryKiB);
    const user = await this.tx.run(async (m) => {
      const { token } = await this.use(m, 'manager_invitation', code);
      const org = await m.findOneBy(Organization, { id: token.organizationId ?? '' });
      if (!org) throw new DomainError('account.code_invalid', {}, 'code');
      return createProvedAccount(
        m,
        this.audit,
        {
          id: randomUUID(),
          email: token.email,
          displayName,
          role: 'org_manager',
          passwordHash,
          municipalityId: null,
          organizationId: org.id,
          workerId: null,
        },
        { actor: 'self', details: { organizationId: org.id, invitation: true } },
      );
    });
    return this.signIn(user);
  }

  // ---- codes ----

  /** A fresh code of `purpose`, stored hashed; in the clear only in this answer. */
  private async issue(
    m: EntityManager,
    purpose: EmailTokenPurpose,
    what: {
      userId?: string | null;
      organizationId?: string | null;
      email: string;
      payload?: Record<string, unknown> | PendingAccount | null;
    },
    validMs: number,
  ): Promise<{ code: string; token: EmailToken }> {
    const { code, hash, expiresAt } = issueEmailCode(validMs);
    const token: EmailToken = {
      id: randomUUID(),
      purpose,
      tokenHash: hash,
      userId: what.userId ?? null,
      organizationId: what.organizationId ?? null,
      email: what.email,
      payload: (what.payload as Record<string, unknown> | null | undefined) ?? null,
      expiresAt,
      usedAt: null,
      createdAt: new Date(),
    };
    await m.insert(EmailToken, token as never);
    return { code, token };
  }

  /**
   * Consumes a code of `purpose`: a conditional update, so of two uses at
   * once (two instances) one succeeds and the other gets the 400.
   * @throws DomainError `account.code_invalid` (400, field `code`): unknown, of another purpose, used or expired
   */
  private async use(
    m: EntityManager,
    purpose: EmailTokenPurpose,
    code: string,
    check?: (token: EmailToken) => void,
  ): Promise<{ token: EmailToken }> {
    const token = await m.findOneBy(EmailToken, { tokenHash: enrollmentCodeHash(code), purpose });
    const now = new Date();
    if (!token || token.usedAt || token.expiresAt <= now) throw new DomainError('account.code_invalid', {}, 'code');
    check?.(token);
    if (!(await conditionalUpdate(m, EmailToken, { id: token.id, usedAt: IsNull() }, { usedAt: now })))
      throw new DomainError('account.code_invalid', {}, 'code');
    return { token };
  }

  private async signIn(user: User): Promise<SignedInAccount> {
    const { token, expiresAt } = await this.sessions.open(user.id);
    return { token, expiresAt: expiresAt.toISOString(), user: { id: user.id, role: user.role, displayName: user.displayName } };
  }
}
