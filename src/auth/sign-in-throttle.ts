import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isIPv4, isIPv6 } from 'node:net';
import { DataSource, EntityManager } from 'typeorm';
import { sha256Hex } from '../common/canonical-json';
import { portableSql } from '../database/portable-sql';
import { TransactionService } from '../database/transaction.service';

/**
 * The three counters every sign-in attempt is counted on, each a fixed
 * window. Keyed by the e-mail address as typed (normalized), never by
 * whether it has an account, so an unknown address is throttled exactly
 * like a known one and a 429 proves nothing.
 * - `pair`: one address from one client: the owner's typos, one guesser. Low, so guessing
 *   stops quickly, and it locks out that client only: the owner elsewhere still signs in.
 * - `account`: one address from anywhere: guessing spread over many clients. Much higher
 *   (ASVS 4.0 2.2.1, NIST SP 800-63B 5.2.2: at most 100 failures per account); the one
 *   counter a distributed attacker can fill, at the price of a hundred guesses an hour.
 * - `client`: one client, any address: password spraying (a few guesses at many accounts).
 */
export const SIGN_IN_LIMITS = {
  pair: { attempts: 5, windowMinutes: 15 },
  account: { attempts: 100, windowMinutes: 60 },
  client: { attempts: 20, windowMinutes: 15 },
} as const;
type Kind = keyof typeof SIGN_IN_LIMITS;

interface Counter {
  kind: Kind;
  /** `<kind initial>:<sha256 hex>`: no e-mail or client address in the clear. */
  key: string;
}

/** Rows older than this are stale for every kind and are swept now and then. */
const SWEEP_AFTER_MS = 24 * 3600_000;

/**
 * The client part of an address that is counted: an IPv4 address as is
 * (IPv4-mapped IPv6 too), an IPv6 address by its /64 prefix, since one
 * client usually holds a whole /64 and could otherwise count afresh with
 * each of its addresses.
 */
export function clientKey(address: string | undefined): string {
  const a = (address ?? '').trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) return mapped[1];
  if (isIPv4(a)) return a;
  if (isIPv6(a)) return expandIPv6(a).slice(0, 4).join(':') + '::/64';
  return a || 'unknown';
}

function expandIPv6(a: string): string[] {
  const [head, tail] = a.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((h) => h.toLowerCase().replace(/^0+(?=.)/, ''));
}

export function signInCounters(email: string, clientAddress: string | undefined): Counter[] {
  const client = clientKey(clientAddress);
  return [
    { kind: 'account', key: `a:${sha256Hex(`account\n${email}`)}` },
    { kind: 'client', key: `c:${sha256Hex(`client\n${client}`)}` },
    { kind: 'pair', key: `p:${sha256Hex(`pair\n${email}\n${client}`)}` },
  ];
}

/*
 * One atomic statement per counter: start a new window if the current one
 * has passed, else count one more; answer the count and the window's start.
 * Several instances on one database count together. The same text runs on
 * SQLite (≥ 3.35) and PostgreSQL.
 */
const COUNT_SQL = `INSERT INTO sign_in_throttle (throttle_key, window_start, attempts) VALUES (?, ?, 1)
  ON CONFLICT (throttle_key) DO UPDATE SET
    attempts = CASE WHEN sign_in_throttle.window_start <= ? THEN 1 ELSE sign_in_throttle.attempts + 1 END,
    window_start = CASE WHEN sign_in_throttle.window_start <= ? THEN excluded.window_start ELSE sign_in_throttle.window_start END
  RETURNING attempts, window_start`;

/**
 * Sign-in throttling with its state in the database (table
 * `sign_in_throttle`), so every instance sees the same counts. An attempt
 * is counted before the password is checked, so concurrent guesses cannot
 * slip past a limit; a successful sign-in takes its count back and clears
 * the (address, client) counter. docs/accounts-and-access.md has the policy.
 */
@Injectable()
export class SignInThrottle {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
  ) {}

  /**
   * Counts one attempt on each counter. Throttled when any counter is over
   * its limit; `retryAfterSeconds` is when the last of those windows ends.
   */
  async attempt(counters: Counter[], now = new Date()): Promise<{ throttled: boolean; retryAfterSeconds: number }> {
    // Always the same order, so two transactions on PostgreSQL never wait on each other's rows in a cycle.
    const sorted = [...counters].sort((a, b) => (a.key < b.key ? -1 : 1));
    const counts = await this.tx.run(async (m) => {
      const out: { kind: Kind; attempts: number; windowStart: string }[] = [];
      for (const c of sorted) {
        const floor = new Date(now.getTime() - SIGN_IN_LIMITS[c.kind].windowMinutes * 60_000).toISOString();
        const [row] = (await m.query(portableSql(this.db, COUNT_SQL), [c.key, now.toISOString(), floor, floor])) as {
          attempts: number | string;
          window_start: string;
        }[];
        out.push({ kind: c.kind, attempts: Number(row.attempts), windowStart: row.window_start });
      }
      if (Math.random() < 0.01) await this.sweep(m, now);
      return out;
    });
    let until = 0;
    for (const c of counts) {
      const rule = SIGN_IN_LIMITS[c.kind];
      if (c.attempts > rule.attempts) until = Math.max(until, new Date(c.windowStart).getTime() + rule.windowMinutes * 60_000);
    }
    // Whole minutes: the answer must not tell one counter's window from another's by a second.
    return { throttled: until > 0, retryAfterSeconds: until ? Math.ceil((until - now.getTime()) / 60_000) * 60 : 0 };
  }

  /**
   * The password was right: this attempt no longer counts, and the (address, client) counter starts over.
   * Runs in the caller's transaction (the new session's).
   */
  async succeeded(counters: Counter[], m: EntityManager): Promise<void> {
    for (const c of [...counters].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      if (c.kind === 'pair') await m.query(portableSql(this.db, 'DELETE FROM sign_in_throttle WHERE throttle_key = ?'), [c.key]);
      else
        await m.query(portableSql(this.db, 'UPDATE sign_in_throttle SET attempts = attempts - 1 WHERE throttle_key = ? AND attempts > 0'), [
          c.key,
        ]);
    }
  }

  private async sweep(m: EntityManager, now: Date): Promise<void> {
    await m.query(portableSql(this.db, 'DELETE FROM sign_in_throttle WHERE window_start < ?'), [
      new Date(now.getTime() - SWEEP_AFTER_MS).toISOString(),
    ]);
  }
}
