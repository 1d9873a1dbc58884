import { scryptSync } from 'node:crypto';
import { SIGN_IN_LIMITS } from '../../src/auth/sign-in-throttle';
import { needsRehash } from '../../src/auth/password';
import { loadConfig } from '../../src/config/app-config';
import { ADMIN, buildWorld, makeUser, PASSWORD, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';

/** A sign-in from a given client address (the app trusts 127.0.0.1, the test's own address, as its proxy). */
const from = (t: TestApp, client: string, email: string, password: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    payload: JSON.stringify({ email, password }),
  });

/** What a caller can tell two answers apart by, without what differs on every request (its id, the date). */
function answer(r: Awaited<ReturnType<typeof from>>) {
  const { date: _date, 'x-request-id': _id, ...headers } = r.headers;
  return { status: r.statusCode, body: { ...r.json(), requestId: '' }, headers };
}

describe('sign-in throttling', () => {
  let t: TestApp;
  let w: World;
  let owner: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: '127.0.0.1' } });
    w = await buildWorld(t);
    owner = (await makeUser(w.http, w.admin.token, { role: 'org_manager', organizationId: w.prime.id }, 'owner')).email;
  }, 60_000);
  afterAll(() => t.close());

  it('answers a known and an unknown e-mail identically across 10 failures', async () => {
    const known: unknown[] = [];
    const unknown: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      known.push(answer(await from(t, '198.51.100.1', owner, 'wrong-password-1')));
      unknown.push(answer(await from(t, '198.51.100.2', 'nobody-here@example.jp', 'wrong-password-1')));
    }
    expect(unknown).toEqual(known);
    const statuses = known.map((a) => (a as { status: number }).status);
    const limit = SIGN_IN_LIMITS.pair.attempts;
    expect(statuses).toEqual([...Array(limit).fill(401), ...Array(10 - limit).fill(429)]);
    expect((known[9] as { headers: Record<string, string> }).headers['retry-after']).toBe('900');
    expect((known[9] as { body: { code: string } }).body.code).toBe('auth.sign_in_throttled');
  });

  it('lets the owner sign in from their own address while a stranger’s address is throttled', async () => {
    // 198.51.100.1 guessed the owner's password above and is locked out of that account…
    expect((await from(t, '198.51.100.1', owner, PASSWORD)).statusCode).toBe(429);
    // …the owner, elsewhere, is not.
    expect((await from(t, '203.0.113.7', owner, PASSWORD)).statusCode).toBe(200);
    // An IPv6 client is one /64: another address in it is the same client.
    for (let i = 0; i < SIGN_IN_LIMITS.pair.attempts; i++) await from(t, `2001:db8:1:2::${i + 1}`, owner, 'wrong-password-2');
    expect((await from(t, '2001:db8:1:2:ffff::9', owner, PASSWORD)).statusCode).toBe(429);
    expect((await from(t, '2001:db8:1:3::1', owner, PASSWORD)).statusCode).toBe(200);
  });

  it('clears the owner’s own failures when they get it right', async () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < SIGN_IN_LIMITS.pair.attempts - 1; i++)
        expect((await from(t, '203.0.113.8', owner, 'typo-typo-typo')).statusCode).toBe(401);
      expect((await from(t, '203.0.113.8', owner, PASSWORD)).statusCode).toBe(200);
    }
  });

  it('throttles one client address across many accounts (password spraying)', async () => {
    const sprayer = '192.0.2.66';
    const limit = SIGN_IN_LIMITS.client.attempts;
    const statuses: number[] = [];
    for (let i = 0; i < limit + 5; i++) statuses.push((await from(t, sprayer, `victim-${i}@example.jp`, 'Spring2026!')).statusCode);
    expect(statuses).toEqual([...Array(limit).fill(401), ...Array(5).fill(429)]);
    // Even a right password from that address waits; the same account from elsewhere does not.
    expect((await from(t, sprayer, ADMIN.email, ADMIN.password)).statusCode).toBe(429);
    expect((await from(t, '192.0.2.67', ADMIN.email, ADMIN.password)).statusCode).toBe(200);
  });

  it('caps one account’s failures from everywhere at the much higher per-account ceiling', async () => {
    const target = (await makeUser(w.http, w.admin.token, { role: 'org_manager', organizationId: w.prime.id }, 'spread')).email;
    const limit = SIGN_IN_LIMITS.account.attempts;
    // Spread over many clients, each below its own limits.
    for (let i = 0; i < limit; i++)
      expect((await from(t, `10.${Math.floor(i / 4)}.0.${i % 4}`, target, 'guess-' + i)).statusCode).toBe(401);
    expect((await from(t, '10.200.0.1', target, PASSWORD)).statusCode).toBe(429);
  }, 60_000);

  it('counts concurrent guesses before checking them: a burst from one address gets no more than its limit', async () => {
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => from(t, '192.0.2.99', `burst-${i}@example.jp`, 'wrong-password-3')),
    );
    const checked = burst.filter((r) => r.statusCode === 401).length;
    expect(checked).toBe(SIGN_IN_LIMITS.client.attempts);
    expect(burst.filter((r) => r.statusCode === 429)).toHaveLength(30 - checked);
    expect((await from(t, '192.0.2.99', ADMIN.email, ADMIN.password)).statusCode).toBe(429);
  });

  it('keeps the counters in the database: a second instance on the same database sees them', async () => {
    const second = await createTestApp({ env: { TRUST_PROXY: '127.0.0.1' }, reuse: t });
    try {
      const client = '198.51.100.200';
      const limit = SIGN_IN_LIMITS.pair.attempts;
      for (let i = 0; i < limit; i++)
        expect((await from(i % 2 ? second : t, client, w.managers.subB.email, 'wrong-password-4')).statusCode).toBe(401);
      expect((await from(second, client, w.managers.subB.email, PASSWORD)).statusCode).toBe(429);
      expect((await from(t, client, w.managers.subB.email, PASSWORD)).statusCode).toBe(429);
      const rows = await t.query<{ throttle_key: string }>('SELECT throttle_key FROM sign_in_throttle');
      // Keys are hashes: no e-mail or address in the clear.
      expect(JSON.stringify(rows)).not.toMatch(/@|198\.51/);
    } finally {
      await second.close({ keepData: true });
    }
  }, 60_000);

  it('records throttled attempts in the audit trail without the address tried', async () => {
    const events = await t.query<{ target_id: string | null; details: string }>(
      "SELECT target_id, details FROM audit_events WHERE action = 'auth.sign_in_failed' AND details LIKE '%throttled%'",
    );
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain('@');
  });
});

describe('the client address', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
    const t = await createTestApp();
    try {
      await buildWorld(t);
      // Changing X-Forwarded-For on every request does not escape the throttle: the connection's address counts.
      const statuses: number[] = [];
      for (let i = 0; i < SIGN_IN_LIMITS.pair.attempts + 1; i++)
        statuses.push((await from(t, `203.0.113.${i + 1}`, 'someone@example.jp', 'wrong-password-5')).statusCode);
      expect(statuses[statuses.length - 1]).toBe(429);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('refuses a TRUST_PROXY that names no proxies, naming the setting', async () => {
    for (const bad of ['true', '10.0.0.0/33', 'proxy.example.jp', '0'])
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16, loopback' }).trustProxy).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      'loopback',
    ]);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(() => loadConfig({ PASSWORD_HASH_MEMORY_KIB: '512' })).toThrow(/PASSWORD_HASH_MEMORY_KIB/);
  });
});

describe('password hashes at sign-in', () => {
  it('replaces a legacy scrypt hash with argon2id at the next successful sign-in', async () => {
    const t = await createTestApp();
    try {
      const w = await buildWorld(t);
      const salt = Buffer.from('legacy-salt-0123');
      const legacy = [
        'scrypt',
        10,
        8,
        1,
        salt.toString('base64url'),
        scryptSync(PASSWORD, salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64url'),
      ].join('$');
      await t.query('UPDATE users SET password_hash = ? WHERE id = ?', [legacy, w.managers.subA.id]);
      expect((await w.http.post('/api/v1/auth/login', { email: w.managers.subA.email, password: PASSWORD })).status).toBe(200);
      const [row] = await t.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ?', [w.managers.subA.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=2,p=1\$/);
      expect(needsRehash(row.password_hash, t.config.passwordHashMemoryKiB)).toBe(false);
      expect((await w.http.post('/api/v1/auth/login', { email: w.managers.subA.email, password: PASSWORD })).status).toBe(200);
    } finally {
      await t.close();
    }
  }, 60_000);
});
