/**
 * Every message the service sends, what its template needs, and how many a
 * person may receive (docs/mail.md). Params hold facts (names of the
 * recipient's own records, titles, dates as ISO strings, links); the words
 * are in src/web/i18n.ts under `mail.<kind>.*` and the templates in
 * views/mail/<kind>.hbs. A message never names another person, except a
 * manager's notice naming their own organization's worker (whom they may see:
 * src/access).
 */
export const MAIL_KINDS = [
  'worker_invitation',
  'worker_invitation_reminder',
  'training_reminder',
  'password_reset',
  'address_proof',
  'address_in_use',
  'manager_invitation',
  'certificate_issued',
  'certificate_revoked',
  'certificate_revoked_manager',
  'certificate_expiring',
  'certificate_expiring_manager',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export interface MailParams {
  /** A new worker: the enrollment link (its code proves the address), the login ID, the deadline. */
  worker_invitation: { name: string; organization: string; loginId: string; link: string; code: string; expiresAt: string };
  /** The invitation again, to a worker on an engagement who never enrolled: a reminder with a fresh link. */
  worker_invitation_reminder: MailParams['worker_invitation'] & { engagement: string; startsOn: string };
  training_reminder: { name: string; engagement: string; startsOn: string; done: number; total: number; link: string };
  password_reset: { link: string; code: string; expiresAt: string };
  /** `confirm`: an account proves its own address; `enrollment` / `account`: an account waits for the proof to be created. */
  address_proof: { reason: 'confirm' | 'enrollment' | 'account'; link: string; code: string; expiresAt: string; organization?: string };
  /** Someone tried to create an account with an address that already has a proved one: its owner is told, nothing is created. */
  address_in_use: { role: string; registrar: string };
  /** `name`: the invitee's, when the registrar typed it (the "invite this company's manager" page). */
  manager_invitation: { organization: string; registrar: string; link: string; code: string; expiresAt: string; name?: string };
  certificate_issued: { name: string; engagement: string; serial: string; validUntil: string; certificateLink: string; verifyLink: string };
  certificate_revoked: { name: string; engagement: string; serial: string; municipality: string; reason: string; verifyLink: string };
  certificate_revoked_manager: {
    worker: string;
    engagement: string;
    serial: string;
    municipality: string;
    reason: string;
    progressLink: string;
  };
  certificate_expiring: { name: string; engagement: string; serial: string; validUntil: string; link: string };
  certificate_expiring_manager: { worker: string; engagement: string; serial: string; validUntil: string; progressLink: string };
}

/**
 * How many messages of a group one address may receive: `max` per rolling
 * `hours`, or per calendar day in JST (`jstDay`). Over the limit a message
 * is not queued (the event it belongs to still happens) and the refusal is
 * audited (`mail.rate_limited`, without the address). Reminders, the
 * invitation sent again included, are one a day per person whatever the
 * engagement (issue 19: "never more than one a day to a person").
 */
export const MAIL_LIMITS: Record<string, { kinds: readonly MailKind[]; max: number; hours?: number; jstDay?: true }> = {
  invitation: { kinds: ['worker_invitation'], max: 5, hours: 24 },
  reminder: { kinds: ['worker_invitation_reminder', 'training_reminder'], max: 1, jstDay: true },
  password_reset: { kinds: ['password_reset'], max: 3, hours: 1 },
  address_proof: { kinds: ['address_proof'], max: 5, hours: 1 },
  address_in_use: { kinds: ['address_in_use'], max: 3, hours: 24 },
  manager_invitation: { kinds: ['manager_invitation'], max: 5, hours: 24 },
  certificate_issued: { kinds: ['certificate_issued'], max: 20, hours: 24 },
  certificate_revoked: { kinds: ['certificate_revoked'], max: 20, hours: 24 },
  manager_notices: { kinds: ['certificate_revoked_manager', 'certificate_expiring_manager'], max: 200, hours: 24 },
  certificate_expiring: { kinds: ['certificate_expiring'], max: 20, hours: 24 },
};

/** The limit group a kind counts in. */
export function limitOf(kind: MailKind): { name: string; kinds: readonly MailKind[]; max: number; hours?: number; jstDay?: true } {
  for (const [name, limit] of Object.entries(MAIL_LIMITS)) if (limit.kinds.includes(kind)) return { name, ...limit };
  throw new Error(`mail kind ${kind} has no limit`);
}

/** Where the limit's window starts: `hours` ago, or at the last JST midnight. */
export function windowStart(limit: { hours?: number; jstDay?: true }, now: Date): Date {
  if (limit.jstDay) {
    const jst = new Date(now.getTime() + 9 * 3600_000);
    return new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth(), jst.getUTCDate()) - 9 * 3600_000);
  }
  return new Date(now.getTime() - (limit.hours ?? 24) * 3600_000);
}

/** A message to queue: who, what, and the key that makes it unique. */
export interface OutgoingMail<K extends MailKind = MailKind> {
  kind: K;
  to: string;
  /** The account it is for, when there is one (shown to the admin as "an account", never as a name). */
  userId?: string | null;
  /** Unique across all messages ever queued: the same key is queued once. */
  key: string;
  params: MailParams[K];
}
