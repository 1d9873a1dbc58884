import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import { DataSource, In } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { parseMailFrom } from '../config/mail-settings';
import { placeholders, portableSql } from '../database/portable-sql';
import { TransactionService } from '../database/transaction.service';
import type { MailKind, MailParams } from './mail-kinds';
import { MailRenderer } from './mail-renderer';
import { OutboxMessage } from './outbox-message.entity';

/** Messages claimed at once by one sender. */
export const SEND_BATCH = 10;
/**
 * How long a claim lasts. A sender that dies mid-send (kill -9) leaves its
 * claimed messages `sending`; once the lease has passed another sender (or
 * the same one restarted) claims them again. Longer than a send normally
 * takes (nodemailer's timeouts below: a connection, a greeting and an idle
 * socket of 10 s each); a send that hangs past it may be sent twice, like a crash.
 */
export const CLAIM_LEASE_MS = 30_000;
/** Attempts before a message is given up (`failed`): about an hour of retries. */
export const MAX_ATTEMPTS = 8;
/** Waiting for the batch in flight at shutdown, within main.ts's 25 s grace. */
const SHUTDOWN_WAIT_MS = 15_000;

/**
 * Exponential backoff after the `attempts`-th failed attempt: 30 s, 1, 2, 4,
 * 8, 16, 32 minutes (capped at an hour), each ±20 % at random so that
 * messages failed together do not retry together.
 */
export function backoffMs(attempts: number): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3600_000);
  return Math.round(base * (0.8 + randomInt(0, 401) / 1000));
}

/** The Message-ID of a message: derived from its idempotency key, so a retry or a duplicate after a crash carries the same one. */
export function messageIdOf(idempotencyKey: string, domain: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}@${domain}>`;
}

/** An SMTP error as the admin sees it: the reply code and words, with any e-mail address masked, at most 300 characters. */
export function describeSendError(err: unknown): string {
  const e = err as { responseCode?: number; code?: string; response?: string; message?: string };
  // The relay's reply starts with its code (`550 5.1.1 …`); other errors get theirs (ECONNREFUSED …) in front.
  const words = e.response ?? `${e.responseCode ?? e.code ?? 'error'}: ${e.message ?? String(err)}`;
  return words.replace(/[^\s<>"']+@[^\s<>"']+/g, '…@…').slice(0, 300);
}

/**
 * Delivers the outbox (docs/mail.md). Runs in every instance when SMTP_URL is
 * set; without it nothing is sent and the messages wait in the outbox, listed
 * at /admin/outbox.
 *
 * Claiming: a batch of due messages (`pending` whose time has come, or
 * `sending` whose claim has lapsed) becomes `sending` with this sender's
 * claim token and a lease, in one statement: on PostgreSQL
 * `… WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, so concurrent senders
 * take different rows without waiting for each other; on SQLite a
 * conditional UPDATE repeating the due condition, inside a write transaction
 * (several processes may share the file). Every later change to the row is
 * conditional on the claim token, so a sender whose lease lapsed cannot
 * overwrite another's result.
 *
 * Delivery is at least once: a process killed after the relay accepted a
 * message but before it was marked `sent` leaves it to be claimed again when
 * the lease ends, and it is sent a second time, with the same Message-ID and
 * X-Idempotency-Key, by which a relay or mail client can drop the copy. At
 * most one duplicate per message in flight at the kill; nothing committed is lost.
 *
 * Failures: a permanent SMTP rejection (5xx) or the MAX_ATTEMPTS-th failure
 * makes the message `failed`; anything else is retried after backoffMs.
 * The last error is kept for the admin. A sent message's params (which may
 * hold a one-time link) are emptied.
 *
 * Shutdown (SIGTERM, main.ts): no new batch is claimed, the batch in flight
 * is finished (messages not yet started are released to `pending`), and the
 * SMTP connections are closed, before the database closes.
 */
@Injectable()
export class MailSender implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('Mail');
  private transport?: Transporter;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopping = false;
  private readonly from: { name: string; address: string };
  private readonly domain: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly renderer: MailRenderer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.from = parseMailFrom(config.mailFrom)!;
    this.domain = this.from.address.split('@')[1];
  }

  /** Whether a relay is configured (otherwise messages wait in the outbox). */
  get enabled(): boolean {
    return !!this.config.smtpUrl;
  }

  onApplicationBootstrap(): void {
    if (!this.config.smtpUrl) return;
    this.transport = createTransport({
      url: this.config.smtpUrl,
      pool: true,
      maxConnections: 3,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 10_000,
    });
    if (this.config.mailPollSeconds > 0) this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running) await Promise.race([this.running, new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref())]);
    this.transport?.close();
  }

  private schedule(ms: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .catch((err: unknown) => this.log.error(`sending failed: ${describeSendError(err)}`))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.config.mailPollSeconds * 1000);
        });
    }, ms);
    this.timer.unref();
  }

  /**
   * Delivers due messages, a batch at a time, until none is due (or the
   * service is stopping). Answers how many were sent. Tests call it with a
   * later `now` to reach the retries.
   */
  async drain(now: () => Date = () => new Date()): Promise<number> {
    if (!this.transport) return 0;
    let sent = 0;
    while (!this.stopping) {
      const batch = await this.claim(now());
      if (!batch.length) break;
      const results = await Promise.all(batch.map((message) => this.deliver(message, now)));
      sent += results.filter(Boolean).length;
    }
    return sent;
  }

  /** Claims up to SEND_BATCH due messages for this sender; answers them. */
  async claim(now: Date): Promise<OutboxMessage[]> {
    const token = randomUUID();
    const at = now.toISOString();
    const until = new Date(now.getTime() + CLAIM_LEASE_MS).toISOString();
    const due = `((status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND claimed_until < ?))`;
    if (this.db.options.type === 'postgres') {
      await this.db.query(
        portableSql(
          this.db,
          `UPDATE mail_outbox SET status = 'sending', claimed_until = ?, claim_token = ?, attempts = attempts + 1
           WHERE id IN (SELECT id FROM mail_outbox WHERE ${due} ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)`,
        ),
        [until, token, at, at, SEND_BATCH],
      );
    } else {
      await this.tx.run(async (m) => {
        const ids = (await m.query(`SELECT id FROM mail_outbox WHERE ${due} ORDER BY next_attempt_at LIMIT ?`, [at, at, SEND_BATCH])) as {
          id: string;
        }[];
        if (!ids.length) return;
        await m.query(
          `UPDATE mail_outbox SET status = 'sending', claimed_until = ?, claim_token = ?, attempts = attempts + 1
           WHERE id IN (${placeholders(ids.length)}) AND ${due}`,
          [until, token, ...ids.map((r) => r.id), at, at],
        );
      });
    }
    return this.db.getRepository(OutboxMessage).find({ where: { claimToken: token }, order: { nextAttemptAt: 'ASC' } });
  }

  /** Sends one claimed message and records the outcome; true when it was sent. */
  private async deliver(message: OutboxMessage, now: () => Date): Promise<boolean> {
    if (this.stopping) {
      await this.finish(message, { status: 'pending', attempts: message.attempts - 1, claimedUntil: null, claimToken: null });
      return false;
    }
    try {
      const rendered = this.renderer.render(message.kind, message.params as unknown as MailParams[MailKind]);
      await this.transport!.sendMail({
        from: this.from,
        to: message.recipient,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId: messageIdOf(message.idempotencyKey, this.domain),
        headers: {
          'X-Idempotency-Key': message.idempotencyKey,
          // RFC 3834: sent by a program, so vacation responders stay quiet.
          'Auto-Submitted': 'auto-generated',
        },
      });
      await this.finish(message, {
        status: 'sent',
        sentAt: now(),
        params: {},
        lastError: null,
        claimedUntil: null,
        claimToken: null,
      });
      return true;
    } catch (err) {
      const permanent = (err as { permanent?: boolean }).permanent === true;
      const failed = permanent || message.attempts >= MAX_ATTEMPTS;
      const lastError = describeSendError(err);
      this.log.warn(
        `message ${message.id} (${message.kind}) attempt ${message.attempts} ${failed ? 'failed for good' : 'failed'}: ${lastError}`,
      );
      await this.finish(message, {
        status: failed ? 'failed' : 'pending',
        lastError,
        nextAttemptAt: new Date(now().getTime() + (failed ? 0 : backoffMs(message.attempts))),
        claimedUntil: null,
        claimToken: null,
      });
      return false;
    }
  }

  /** Records an outcome, only while this sender still holds the claim. */
  private async finish(message: OutboxMessage, changes: Partial<OutboxMessage>): Promise<void> {
    await this.tx.run((m) => m.update(OutboxMessage, { id: message.id, claimToken: message.claimToken! }, changes as never));
  }

  /** Counts by status, for the admin page. */
  async counts(): Promise<Record<string, number>> {
    const rows = (await this.db.query('SELECT status, COUNT(*) AS n FROM mail_outbox GROUP BY status')) as {
      status: string;
      n: string | number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** Puts failed messages back in the queue (the admin's "send again"); answers how many. */
  async retry(ids: string[]): Promise<number> {
    if (!ids.length) return 0;
    return this.tx.run(async (m) => {
      const res = await m.update(
        OutboxMessage,
        { id: In(ids), status: 'failed' },
        { status: 'pending', attempts: 0, nextAttemptAt: new Date() },
      );
      return res.affected ?? 0;
    });
  }
}
