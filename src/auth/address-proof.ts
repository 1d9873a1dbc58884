import { EntityManager, type FindOptionsWhere, In, IsNull } from 'typeorm';
import { ANONYMOUS, type AuditActor, type AuditService } from '../audit/audit.service';
import { emailIndexes } from '../database/columns';
import { DomainError } from '../common/errors/domain-error';
import { conditionalUpdate } from '../database/conditional-update';
import { Session } from '../sessions/session.entity';
import { User } from '../users/user.entity';
import { Worker } from '../workers/worker.entity';
import { EmailToken } from './email-token.entity';

/*
 * Proof of address (docs/accounts-and-access.md, "Proof of address").
 *
 * An address is proved for an account when a code sent to that address came
 * back: the enrollment code of the invitation e-mail (never shown to a
 * manager), a password reset, an address confirmation, a manager invitation.
 * One account holds an address at a time (`users.email` is unique). The rule:
 *
 * - a proved holder keeps the address: nobody else can register it (an
 *   enrolment answers 409; POST /users answers 201 and creates nothing, the
 *   holder is told by e-mail);
 * - an unproved holder blocks nobody: whoever proves the address first takes
 *   it, and the unproved account is displaced (it can no longer sign in, its
 *   sessions and codes end, `user.displaced` is audited);
 * - someone who cannot prove it yet (an enrolment with the manager's code, an
 *   account created by POST /users) while an unproved account holds the
 *   address gets a proof link sent to the address; the new account exists
 *   once the link is used, and only if the address is still not proved by then.
 */

/** The account that holds an address, if any (a displaced account holds none: its address is a placeholder). */
export function addressHolder(m: EntityManager, email: string): Promise<User | null> {
  return m.findOneBy(User, { emailIndex: In(emailIndexes(email)) });
}

/** Whether the holder's address was proved. */
export const proved = (u: Pick<User, 'emailVerifiedAt'>): boolean => !!u.emailVerifiedAt;

/** The placeholder a displaced account's address becomes (RFC 2606 `.invalid`: no mail goes there). */
export const displacedAddress = (userId: string) => `displaced+${userId}@displaced.invalid`;

/**
 * Makes room at `email` for an account that proves it now: nothing when the
 * address is free; an unproved holder is displaced; a proved one keeps it.
 * @throws DomainError `account.address_taken` (409) when a proved account holds the address (or proved it meanwhile)
 */
export async function makeRoomForProved(
  m: EntityManager,
  audit: AuditService,
  email: string,
  by: { actor: AuditActor; newUserId: string },
  now = new Date(),
): Promise<void> {
  const holder = await addressHolder(m, email);
  if (!holder) return;
  if (proved(holder)) throw new DomainError('account.address_taken');
  // Conditional: if the holder proved the address meanwhile (another instance), it keeps it.
  const moved = await conditionalUpdate(
    m,
    User,
    // The address is encrypted (a fresh IV each time): the row is matched by its blind index.
    { id: holder.id, emailIndex: holder.emailIndex, emailVerifiedAt: IsNull() },
    { email: displacedAddress(holder.id), displacedAt: now },
  );
  if (!moved) throw new DomainError('account.address_taken');
  await m.update(Session, { userId: holder.id, revokedAt: IsNull() }, { revokedAt: now });
  await m.update(EmailToken, { userId: holder.id, usedAt: IsNull() }, { usedAt: now });
  await audit.record(m, {
    action: 'user.displaced',
    actor: by.actor,
    targetType: 'user',
    targetId: holder.id,
    details: { by: by.newUserId, role: holder.role },
  });
}

/**
 * Creates an account that proves its address now (a waiting account whose
 * link was used, an accepted manager invitation): room is made at the address
 * (an unproved holder displaced), the account inserted with `emailVerifiedAt`
 * = `now`, and `user.created` audited with `details` and `proved: true`.
 * @throws DomainError `account.address_taken` (409) from makeRoomForProved
 */
export async function createProvedAccount(
  m: EntityManager,
  audit: AuditService,
  account: Omit<User, 'createdAt' | 'emailVerifiedAt' | 'displacedAt'>,
  by: { actor: AuditActor | 'self'; details: Record<string, unknown> },
  now = new Date(),
): Promise<User> {
  await makeRoomForProved(m, audit, account.email, { actor: ANONYMOUS, newUserId: account.id }, now);
  const user: User = { ...account, createdAt: now, emailVerifiedAt: now };
  await m.insert(User, user);
  await audit.record(m, {
    action: 'user.created',
    actor: by.actor === 'self' ? user : by.actor,
    targetType: 'user',
    targetId: user.id,
    details: { role: user.role, ...by.details, proved: true },
  });
  return user;
}

/**
 * A worker's enrolment, once its code is known good: the worker's codes are
 * consumed by a conditional update on `codeMatch` (so of two enrolments at
 * once one wins), the worker's account is created (proved when the code came
 * by e-mail) and `auth.enrolled` audited.
 * @throws DomainError `enrollment.code_used` (409, field `codeField`) when another enrolment consumed the code first
 */
export async function enrolWorker(
  m: EntityManager,
  audit: AuditService,
  worker: Pick<Worker, 'id' | 'email' | 'name' | 'organizationId'>,
  enrolment: { userId: string; passwordHash: string; proved: boolean; codeMatch: FindOptionsWhere<Worker>; codeField: string },
  now = new Date(),
): Promise<User> {
  const consumed = await conditionalUpdate(
    m,
    Worker,
    { id: worker.id, ...enrolment.codeMatch },
    {
      enrollmentCodeHash: null,
      enrollmentCodeExpiresAt: null,
      invitationCodeHash: null,
      invitationCodeExpiresAt: null,
      enrolledAt: now,
      updatedAt: now,
    },
  );
  if (!consumed) throw new DomainError('enrollment.code_used', {}, enrolment.codeField);
  const user: User = {
    id: enrolment.userId,
    email: worker.email,
    displayName: worker.name,
    role: 'worker',
    passwordHash: enrolment.passwordHash,
    municipalityId: null,
    organizationId: worker.organizationId,
    workerId: worker.id,
    createdAt: now,
    emailVerifiedAt: enrolment.proved ? now : null,
  };
  await m.insert(User, user);
  await audit.record(m, {
    action: 'auth.enrolled',
    actor: user,
    targetType: 'worker',
    targetId: worker.id,
    details: { organizationId: worker.organizationId, ...(enrolment.proved ? { proved: true } : {}) },
  });
  return user;
}
