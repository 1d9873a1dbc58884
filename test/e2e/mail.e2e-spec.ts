import { Writable } from 'node:stream';
import { decrypted, emailIndex } from '../../src/database/columns';
import { buildWorld, enrolledWorker, login, PASSWORD, type World } from '../factories/world';
import { MailSender } from '../../src/mail/mail-sender.service';
import { MailScheduler } from '../../src/mail/mail-scheduler.service';
import { createTestApp, type TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';
import { codeOf, linkIn, type Received, startSmtp, type TestSmtp } from '../utils/smtp';

/*
 * E-mail end to end (issue 19): the service sends through a real SMTP server
 * on 127.0.0.1 (smtp-server, requiring the login given in SMTP_URL), every
 * message is parsed with mailparser and checked for its recipient, its
 * languages (Japanese first, then English, in the text and the HTML), its
 * link, and what it must not carry (images, other people's data).
 */
const BASE = 'https://lms.mail.example.jp';
const FROM = 'training@mail.example.jp';

let smtp: TestSmtp;
let t: TestApp;
let w: World;
const logLines: string[] = [];

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({
    env: { SMTP_URL: smtp.url, MAIL_FROM: `研修事務局 <${FROM}>`, PUBLIC_BASE_URL: BASE, LOG_LEVEL: 'info' },
    logStream: new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  });
  w = await buildWorld(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

/**
 * Delivers what is due now and waits until `n` messages to `address` whose
 * X-Idempotency-Key starts with `key` (`worker-invitation:`, `reminder:` …) have arrived; answers them, oldest first.
 */
async function arrival(address: string, key: string, n = 1): Promise<Received[]> {
  const mine = () => smtp.to(address).filter((r) => r.key.startsWith(key));
  await t.app.get(MailSender).drain();
  await smtp.waitFor(() => mine().length >= n, 20_000, `${n} ${key} message(s) to ${address}`);
  return mine();
}

/** Japanese first, then English, in both parts; plain text plus simple HTML, no image, no remote resource. */
function expectBilingual(m: Received, ja: string, en: string) {
  expect(m.from).toBe(FROM);
  expect(m.subject).toMatch(/^【研修】.+ \/ \[Training\] .+/);
  for (const body of [m.text, m.html]) {
    expect(body).toContain(ja);
    expect(body).toContain(en);
    expect(body.indexOf(ja)).toBeLessThan(body.indexOf(en));
  }
  expect(m.html.indexOf('lang="ja"')).toBeLessThan(m.html.indexOf('lang="en"'));
  expect(m.html).not.toMatch(/<img|<script|<iframe|url\(|src=/i);
  expect(m.text).toContain('配信停止の対象外');
  expect(m.text).toContain('cannot be unsubscribed');
  expect(m.messageId).toMatch(/^<[0-9a-f]{40}@mail\.example\.jp>$/);
  expect(m.key).not.toBe('');
  expect(m.parsed.headers.get('auto-submitted')).toBe('auto-generated');
}

/** A page request as a browser sends it (the CSRF double-submit cookie and field come from the page). */
async function pageForm(url: string, fields: Record<string, string>, cookies: Record<string, string> = {}) {
  const page = await t.app.inject({ method: 'GET', url, cookies });
  const csrfCookie = String(page.cookies.find((c) => c.name === 'a4_csrf')?.value ?? cookies.a4_csrf ?? '');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  return t.app.inject({
    method: 'POST',
    url,
    cookies: { ...cookies, a4_csrf: csrfCookie },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...fields, _csrf: csrf }).toString(),
  });
}

describe('the worker invitation', () => {
  it('carries the enrollment link, the login ID and the deadline; enrolling through it proves the address', async () => {
    const email = 'invited.worker@aki-joho.example.jp';
    const created = await w.http.post(`/api/v1/organizations/${w.prime.id}/workers`, { name: '招待　花子', email }, w.managers.prime.token);
    expect(created.status).toBe(201);
    const [m] = await arrival(email, 'worker-invitation:');
    expect(m.to).toEqual([email]);
    expectBilingual(m, '利用登録を行う', 'Register now');
    expect(m.text).toContain('招待　花子 様');
    expect(m.text).toContain(`ログインID（メールアドレス）: ${email}`);
    expect(m.text).toContain(`Login ID (your e-mail address): ${email}`);
    expect(m.text).toMatch(/登録の期限: \d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2} JST/);
    expect(m.text).toContain('株式会社プライム');
    const link = linkIn(m.text, `${BASE}/enroll?code=`);
    const code = codeOf(link);
    // The code e-mailed is not the one handed to the manager.
    expect(code).not.toBe(created.body.enrollmentCode);

    // The link's page: the code leaves the URL at once, and no Referer leaves the page.
    const opened = await t.app.inject({ method: 'GET', url: link.slice(BASE.length) });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/enroll');
    expect(opened.headers['referrer-policy']).toBe('no-referrer');
    const cookie = opened.cookies.find((c) => c.name === 'a4_code')!;
    expect(cookie).toMatchObject({ value: code, path: '/enroll', httpOnly: true, sameSite: 'Lax' });
    const page = await t.app.inject({ method: 'GET', url: '/enroll', cookies: { a4_code: code } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain(`value="${code}"`);
    // The access log wrote the path, never the code.
    expect(logLines.join('')).toContain('"path":"/enroll"');
    expect(logLines.join('')).not.toContain(code);
    expect(logLines.join('')).not.toContain(code.replace(/-/g, ''));

    const enrolled = await pageForm('/enroll', { enrollmentCode: code, password: PASSWORD, passwordConfirm: PASSWORD }, { a4_code: code });
    expect(enrolled.statusCode).toBe(303);
    const [user] = await t.query('SELECT email_verified_at FROM users WHERE email_index = ?', [emailIndex(email)]);
    expect(user.email_verified_at).not.toBeNull();
    // Used once.
    expect((await w.http.post('/api/v1/auth/enroll', { enrollmentCode: code, password: PASSWORD })).status).toBe(400);
  });

  it('is sent to every new worker of a CSV import, in the import’s transaction', async () => {
    const csv = 'name,email\n取込　一郎,import.one@aki-joho.example.jp\n取込　二郎,import.two@aki-joho.example.jp\n';
    const r = await w.http.post(`/api/v1/organizations/${w.prime.id}/workers/import`, csv, w.managers.prime.token, {
      'content-type': 'text/csv',
    });
    expect(r.body.created).toBe(2);
    for (const email of ['import.one@aki-joho.example.jp', 'import.two@aki-joho.example.jp']) {
      const [m] = await arrival(email, 'worker-invitation:');
      expect(m.to).toEqual([email]);
      linkIn(m.text, `${BASE}/enroll?code=`);
    }
  });
});

describe('proof of address: the squatting case of issue 19', () => {
  // Organization Q's manager (here: the unrelated organization's) registers P's employee as Q's worker and enrols it.
  const target = 'newcomer@aki-joho.example.jp';

  it('lets the real owner register with their own organization, and the squatter can no longer sign in', async () => {
    const q = w.outsider.id;
    const squat = await w.http.post(
      `/api/v1/organizations/${q}/workers`,
      { name: '新人　さくら', email: target },
      w.managers.outsider.token,
    );
    expect(squat.status).toBe(201);
    const squatter = await w.http.post('/api/v1/auth/enroll', {
      enrollmentCode: squat.body.enrollmentCode,
      password: 'squatters-password',
    });
    expect(squatter.status).toBe(200);

    // P's manager registers their own employee with the same address: allowed.
    const mine = await w.http.post(
      `/api/v1/organizations/${w.prime.id}/workers`,
      { name: '新人　さくら', email: target },
      w.managers.prime.token,
    );
    expect(mine.status).toBe(201);

    // With the code P's manager hands out, the squatter's unproved account no longer answers 409 (it did before issue 19):
    // the address must be proved, so a link goes to it.
    const handed = await w.http.post('/api/v1/auth/enroll', { enrollmentCode: mine.body.enrollmentCode, password: 'owners-password-1' });
    expect(handed.status).toBe(202);
    expect(handed.body).toEqual({ addressProofSent: true });

    // The squatter's own enrolment sent the address a link to confirm that account: its owner cannot use it (it takes the
    // squatter's password), so clicking it by mistake proves nothing for the squatter.
    const [forSquatter] = await arrival(target, 'address-proof:');
    expect(forSquatter.text).toContain('無関係株式会社');
    const confirmSquatter = codeOf(linkIn(forSquatter.text, `${BASE}/confirm-address?code=`));
    expect((await w.http.post('/api/v1/auth/address-proof', { code: confirmSquatter })).status).toBe(401);
    const proof = (await arrival(target, 'address-proof:', 2))[1];
    expect(proof.text).toContain('株式会社プライム');
    expectBilingual(proof, 'メールアドレスを確認する', 'Confirm my e-mail address');
    const proved = await w.http.post('/api/v1/auth/address-proof', { code: codeOf(linkIn(proof.text, `${BASE}/confirm-address?code=`)) });
    expect(proved.status).toBe(200);
    expect(proved.body.user.role).toBe('worker');

    // The owner signs in with the address, as P's worker; the squatter's session and password are gone.
    const me = await w.http.get('/api/v1/me', (await login(w.http, target, 'owners-password-1')).token);
    expect(me.body).toMatchObject({ email: target, organizationId: w.prime.id });
    expect((await w.http.get('/api/v1/me', squatter.body.token)).status).toBe(401);
    expect((await w.http.post('/api/v1/auth/login', { email: target, password: 'squatters-password' })).status).toBe(401);
    const displaced = await t.query(`SELECT 1 AS one FROM audit_events WHERE action = 'user.displaced'`);
    expect(displaced.length).toBeGreaterThanOrEqual(1);

    // The address is proved now: Q's manager can neither take it again by enrolling nor by creating an account.
    const again = await w.http.post(
      `/api/v1/organizations/${q}/workers`,
      { name: '新人　さくら', email: 'second.try@example.jp' },
      w.managers.outsider.token,
    );
    expect(again.status).toBe(201);
    const asManager = await w.http.post(
      '/api/v1/users',
      { email: target, displayName: 'なりすまし', role: 'org_manager', password: 'another-password-1', organizationId: q },
      w.managers.outsider.token,
    );
    // The same answer as for a free address; nothing created, the owner told.
    expect(asManager.status).toBe(201);
    expect((await t.query('SELECT role FROM users WHERE email_index = ?', [emailIndex(target)])).map((u) => u.role)).toEqual(['worker']);
    const [told] = await arrival(target, 'address-in-use:');
    expectBilingual(told, '新しいアカウントは作成していません', 'no new account was created');
    expect(told.text).toContain('無関係株式会社');
    expect(told.text).not.toContain('なりすまし');
  });

  it('lets the owner enrol at once with the invitation e-mail’s code, displacing an unproved account', async () => {
    const address = 'second.newcomer@aki-joho.example.jp';
    const squat = await w.http.post(
      `/api/v1/organizations/${w.outsider.id}/workers`,
      { name: '二人目', email: address },
      w.managers.outsider.token,
    );
    const squatter = await w.http.post('/api/v1/auth/enroll', {
      enrollmentCode: squat.body.enrollmentCode,
      password: 'squatters-password',
    });
    expect(squatter.status).toBe(200);
    await w.http.post(`/api/v1/organizations/${w.prime.id}/workers`, { name: '二人目', email: address }, w.managers.prime.token);
    const invitation = (await arrival(address, 'worker-invitation:', 2))[1];
    expect(invitation.text).toContain('株式会社プライム');
    const enrolled = await w.http.post('/api/v1/auth/enroll', {
      enrollmentCode: codeOf(linkIn(invitation.text, `${BASE}/enroll?code=`)),
      password: 'owners-password-2',
    });
    expect(enrolled.status).toBe(200);
    expect((await w.http.get('/api/v1/me', squatter.body.token)).status).toBe(401);
    expect((await w.http.get('/api/v1/me', enrolled.body.token)).body.organizationId).toBe(w.prime.id);
  });
});

describe('password reset (パスワードを忘れた方)', () => {
  it('is offered on the sign-in page', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/' });
    expect(page.body).toContain('href="/password-reset"');
    expect(page.body).toContain('パスワードを忘れた方');
  });

  it('answers known and unknown addresses alike, sends a one-time link valid 30 minutes, and ends every session', async () => {
    const worker = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '忘却　太郎', 'forgetful@aki-joho.example.jp');
    const known = await w.http.post('/api/v1/auth/password-reset', { email: 'forgetful@aki-joho.example.jp' });
    const unknown = await w.http.post('/api/v1/auth/password-reset', { email: 'nobody@aki-joho.example.jp' });
    expect([known.status, known.text]).toEqual([202, '{}']);
    expect([unknown.status, unknown.text]).toEqual([202, '{}']);
    const page = await pageForm('/password-reset', { email: 'nobody@aki-joho.example.jp' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('アカウントがある場合は');

    const messages = await arrival('forgetful@aki-joho.example.jp', 'password-reset:');
    expect(messages).toHaveLength(1);
    expect(smtp.to('nobody@aki-joho.example.jp')).toEqual([]);
    const [m] = messages;
    expectBilingual(m, '新しいパスワードを設定する', 'Set a new password');
    expect(m.text).toContain('30分間');
    const code = codeOf(linkIn(m.text, `${BASE}/password-reset/new?code=`));

    const reset = await w.http.post('/api/v1/auth/password-reset/confirmation', { code, password: 'a-brand-new-password' });
    expect(reset.status).toBe(204);
    expect((await w.http.get('/api/v1/me', worker.token)).status).toBe(401);
    expect((await w.http.post('/api/v1/auth/login', { email: 'forgetful@aki-joho.example.jp', password: PASSWORD })).status).toBe(401);
    expect(
      (await w.http.post('/api/v1/auth/login', { email: 'forgetful@aki-joho.example.jp', password: 'a-brand-new-password' })).status,
    ).toBe(200);
    // Once only.
    const twice = await w.http.post('/api/v1/auth/password-reset/confirmation', { code, password: 'yet-another-password' });
    expect([twice.status, twice.body.code]).toEqual([400, 'account.code_invalid']);
  });

  it('refuses a code older than 30 minutes, and sends at most three an hour to one address', async () => {
    const email = 'manager.reset@aki-joho.example.jp';
    await w.http.post(
      '/api/v1/users',
      { email, displayName: 'リセット', role: 'org_manager', password: 'managers-password-1', organizationId: w.prime.id },
      w.admin.token,
    );
    for (let i = 0; i < 4; i++) expect((await w.http.post('/api/v1/auth/password-reset', { email })).status).toBe(202);
    const resets = await arrival(email, 'password-reset:', 3);
    await t.app.get(MailSender).drain();
    expect(smtp.to(email).filter((m) => m.key.startsWith('password-reset:'))).toHaveLength(3);
    const limited = await t.query(`SELECT details FROM audit_events WHERE action = 'mail.rate_limited'`);
    expect(limited.map((r) => JSON.parse(r.details))).toContainEqual({ kind: 'password_reset', count: 1 });
    // The token's address is encrypted at rest: the manager's tokens are found through the account.
    await t.query(
      `UPDATE email_tokens SET expires_at = ? WHERE purpose = 'password_reset' AND user_id IN (SELECT id FROM users WHERE email_index = ?)`,
      [new Date(Date.now() - 1000).toISOString(), emailIndex(email)],
    );
    const late = await w.http.post('/api/v1/auth/password-reset/confirmation', {
      code: codeOf(linkIn(resets[0].text, `${BASE}/password-reset/new?code=`)),
      password: 'too-late-password',
    });
    expect(late.status).toBe(400);
  });
});

describe('the manager invitation', () => {
  it('goes to the contact of a company the town registers, who becomes its first manager', async () => {
    const contact = 'soumu@new-company.example.jp';
    const org = await w.http.post('/api/v1/organizations', { name: '株式会社新規', contactEmail: contact }, w.staff.token);
    expect(org.status).toBe(201);
    const [m] = await arrival(contact, 'manager-invitation:');
    expectBilingual(m, '招待を受けて管理者アカウントを作成する', 'Accept and create my manager account');
    expect(m.text).toContain('府中町が株式会社新規を研修サイトに登録');
    const accepted = await w.http.post('/api/v1/auth/invitation', {
      code: codeOf(linkIn(m.text, `${BASE}/invitation?code=`)),
      displayName: '新規　総務',
      password: 'managers-password-2',
    });
    expect(accepted.status).toBe(200);
    const me = await w.http.get('/api/v1/me', accepted.body.token);
    expect(me.body).toMatchObject({ role: 'org_manager', organizationId: org.body.id, email: contact });
    // The town controlled the company only while it had no manager.
    const worker = await w.http.post(`/api/v1/organizations/${org.body.id}/workers`, { name: 'x', email: 'x@example.jp' }, w.staff.token);
    expect(worker.status).toBe(404);
  });

  it('goes to the contact of a new subcontractor a parent registers on its page, and is not sent when the registration fails', async () => {
    const contact = 'boss@sub-company.example.jp';
    const page = await t.app.inject({
      method: 'GET',
      url: `/manager/engagements/${w.engagement.id}`,
      headers: { authorization: `Bearer ${w.managers.prime.token}` },
    });
    expect(page.body).toContain('name="contactEmail"');
    const added = await t.app.inject({
      method: 'POST',
      url: `/manager/engagements/${w.engagement.id}/subcontractors`,
      headers: { authorization: `Bearer ${w.managers.prime.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ organizationId: '', name: '下請情報株式会社', corporateNumber: '', contactEmail: contact }).toString(),
    });
    expect(added.statusCode).toBe(303);
    const [m] = await arrival(contact, 'manager-invitation:');
    expect(m.text).toContain('株式会社プライムが下請情報株式会社を研修サイトに登録');

    // The town's new engagement with a new prime and a contract number already taken: nothing is registered, nothing sent.
    const before = await t.query('SELECT COUNT(*) AS n FROM mail_outbox');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/town/engagements',
      headers: { authorization: `Bearer ${w.staff.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        title: '重複する契約',
        contractNumber: 'R8-001',
        primeContractorId: 'new',
        newPrimeName: '巻き戻し株式会社',
        newPrimeContactEmail: 'rolled.back@example.jp',
        startsOn: '2027-04-01',
        endsOn: '2028-03-31',
        handlesPersonalInfo: 'on',
      }).toString(),
    });
    expect(refused.statusCode).toBe(409);
    expect(await t.query('SELECT COUNT(*) AS n FROM mail_outbox')).toEqual(before);
    const tokens = await t.query<{ email: string }>('SELECT email FROM email_tokens');
    expect(tokens.filter((r) => decrypted('email_tokens.email', r.email) === 'rolled.back@example.jp')).toEqual([]);
  });
});

describe('reminders', () => {
  let enrolled: Awaited<ReturnType<typeof enrolledWorker>>;
  let neverEnrolled: { id: string };

  beforeAll(async () => {
    enrolled = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '受講　中子', 'learning@aki-joho.example.jp');
    neverEnrolled = (
      await w.http.post(
        `/api/v1/organizations/${w.prime.id}/workers`,
        { name: '未登録　次郎', email: 'late@aki-joho.example.jp' },
        w.managers.prime.token,
      )
    ).body;
    await w.http.post(`${w.E}/assignments`, { workerIds: [enrolled.workerId, neverEnrolled.id] }, w.managers.prime.token);
  });

  it('are sent by a manager to those who have not finished; who never enrolled gets the invitation again; one a day', async () => {
    const r = await w.http.post(`${w.E}/reminders`, undefined, w.managers.prime.token);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ reminded: 1, invited: 1, limited: 0 });
    const [reminder] = await arrival('learning@aki-joho.example.jp', 'reminder:');
    expectBilingual(reminder, '研修を続ける', 'Continue the training');
    expect(reminder.text).toContain('住民情報システム運用保守業務');
    expect(reminder.text).toMatch(/\d+単元中 0単元を修了/);
    expect(linkIn(reminder.text, `${BASE}/learn`)).toBe(`${BASE}/learn`);
    const again = await arrival('late@aki-joho.example.jp', 'reminder:');
    expect(again).toHaveLength(1);
    expectBilingual(again[0], '利用登録がお済みでない', 'have not registered on the training site yet');
    const code = codeOf(linkIn(again[0].text, `${BASE}/enroll?code=`));
    // No one else's name in either message.
    expect(reminder.text).not.toContain('未登録　次郎');
    expect(again[0].text).not.toContain('受講　中子');

    expect((await w.http.post(`${w.E}/reminders`, undefined, w.staff.token)).body).toEqual({ reminded: 0, invited: 0, limited: 2 });
    const progress = await w.http.get(`${w.E}/progress`, w.managers.prime.token);
    const rows = progress.body.organizations.flatMap((o: { workers: { id: string; lastRemindedAt: string | null }[] }) => o.workers);
    expect(rows.find((x: { id: string }) => x.id === enrolled.workerId).lastRemindedAt).toEqual(expect.any(String));
    const page = await t.app.inject({
      method: 'GET',
      url: `${w.E.replace('/api/v1', '')}/progress`,
      headers: { authorization: `Bearer ${w.managers.prime.token}` },
    });
    expect(page.body).toContain('最終リマインド');
    expect(page.body).toContain('未修了の従事者にリマインドを送る');

    // The invitation sent again works.
    expect((await w.http.post('/api/v1/auth/enroll', { enrollmentCode: code, password: PASSWORD })).status).toBe(200);
    // Workers may not send reminders; an unrelated manager does not see the engagement.
    expect((await w.http.post(`${w.E}/reminders`, undefined, enrolled.token)).status).toBe(403);
    expect((await w.http.post(`${w.E}/reminders`, undefined, w.managers.outsider.token)).status).toBe(404);
  });

  it('are sent by the service itself 14 and 3 days before the start, once per step, and not when the town turns them off', async () => {
    const scheduler = t.app.get(MailScheduler);
    const at = (date: string) => new Date(`${date}T01:00:00Z`); // 10:00 JST
    // The engagement starts on 2027-01-04: 14 days before is 2026-12-21.
    expect((await scheduler.runOnce(at('2026-12-19'))).reminded).toBe(0);
    const first = await scheduler.runOnce(at('2026-12-21'));
    expect(first.reminded).toBeGreaterThanOrEqual(2);
    expect((await scheduler.runOnce(at('2026-12-21'))).reminded).toBe(0);
    expect((await scheduler.runOnce(at('2026-12-28'))).reminded).toBe(0);
    const keys = (await t.query(`SELECT idempotency_key FROM mail_outbox WHERE kind = 'training_reminder'`)).map((r) => r.idempotency_key);
    expect(keys).toContain(`reminder:${w.engagement.id}:${enrolled.workerId}:2026-12-21`);

    const off = await w.http.put(`${w.E}/reminder-days`, { reminderDays: [] }, w.staff.token);
    expect([off.status, off.body.reminderDays]).toEqual([200, []]);
    expect((await scheduler.runOnce(at('2027-01-01'))).reminded).toBe(0);
    expect((await w.http.put(`${w.E}/reminder-days`, { reminderDays: [3] }, w.managers.prime.token)).status).toBe(403);
    // The town's page sets it back, as typed (full-width digits and 、 too).
    const town = { authorization: `Bearer ${w.staff.token}`, 'content-type': 'application/x-www-form-urlencoded' };
    const url = `/town/engagements/${w.engagement.id}/reminder-days`;
    expect((await t.app.inject({ method: 'POST', url, headers: town, payload: 'reminderDays=0' })).statusCode).toBe(400);
    const saved = await t.app.inject({
      method: 'POST',
      url,
      headers: town,
      payload: new URLSearchParams({ reminderDays: '３、14' }).toString(),
    });
    expect(saved.statusCode).toBe(303);
    expect((await w.http.get(w.E, w.staff.token)).body.reminderDays).toEqual([14, 3]);
    expect((await scheduler.runOnce(at('2027-01-01'))).reminded).toBeGreaterThanOrEqual(2);
  });
});

describe('certificate notices', () => {
  let holder: Awaited<ReturnType<typeof enrolledWorker>>;
  let serial = '';
  const email = 'certified@aki-joho.example.jp';

  beforeAll(async () => {
    holder = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '修了　一子', email);
    await w.http.post(`${w.E}/assignments`, { workerIds: [holder.workerId] }, w.managers.prime.token);
    for (const moduleId of w.engagement.curriculum as string[]) {
      const r = await sit(t, w.http, holder.token, moduleId, w.engagement.id);
      if (r.body.certificate) serial = r.body.certificate.serial;
    }
  }, 60_000);

  it('tells the worker when their certificate is issued', async () => {
    expect(serial).not.toBe('');
    const [m] = await arrival(email, 'certificate-issued:');
    expectBilingual(m, '修了証が発行されました', 'your certificate was issued');
    expect(m.text).toContain(serial);
    expect(linkIn(m.text, `${BASE}/certificates/`)).toBe(`${BASE}/certificates/${serial}`);
    expect(linkIn(m.text, `${BASE}/verify/`)).toBe(`${BASE}/verify/${serial}`);
  });

  it('tells the worker and the managers when a certificate expires within 30 days, once', async () => {
    const [c] = await t.query('SELECT valid_until FROM certificates WHERE serial = ?', [serial]);
    const now = new Date(new Date(c.valid_until).getTime() - 20 * 86400_000);
    expect((await t.app.get(MailScheduler).runOnce(now)).expiring).toBeGreaterThanOrEqual(2);
    expect((await t.app.get(MailScheduler).runOnce(now)).expiring).toBe(0);
    const [m] = await arrival(email, 'certificate-expiring:');
    expectBilingual(m, '有効期限を迎えます', 'expires on');
    const [toManager] = await arrival(w.managers.prime.email, 'certificate-expiring:');
    expectBilingual(toManager, '修了　一子', 'your worker 修了　一子');
    expect(linkIn(toManager.text, `${BASE}/engagements/`)).toBe(`${BASE}/engagements/${w.engagement.id}/progress`);
  });

  it('tells the worker and the managers when it is revoked, with the reason and what to do next', async () => {
    const revoked = await w.http.post(`/api/v1/certificates/${serial}/revocation`, { reason: '契約の解除に伴う取消し' }, w.staff.token);
    expect(revoked.status).toBe(200);
    const [m] = await arrival(email, 'certificate-revoked:');
    expectBilingual(m, 'これからすること', 'What to do next');
    expect(m.text).toContain('契約の解除に伴う取消し');
    expect(m.text).toContain('府中町');
    const [toManager] = await arrival(w.managers.prime.email, 'certificate-revoked:');
    expectBilingual(toManager, 'これからすること', 'What to do next');
    expect(toManager.to).toEqual([w.managers.prime.email]);
  });
});

describe('delivery', () => {
  const sender = () => t.app.get(MailSender);

  it('retries a temporary refusal after a backoff, and gives up on a permanent one, visibly to the admin', async () => {
    smtp.rejectNext.push(451);
    await w.http.post(
      `/api/v1/organizations/${w.prime.id}/workers`,
      { name: '再送　一郎', email: 'retry@aki-joho.example.jp' },
      w.managers.prime.token,
    );
    await sender().drain();
    const [pending] = await t.query(`SELECT status, attempts, last_error, next_attempt_at FROM mail_outbox WHERE recipient_index = ?`, [
      emailIndex('retry@aki-joho.example.jp'),
    ]);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
    expect(pending.last_error).toMatch(/^451/);
    expect(new Date(pending.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + 15_000);
    await sender().drain(() => new Date(Date.now() + 3600_000));
    expect(smtp.to('retry@aki-joho.example.jp')).toHaveLength(1);

    smtp.rejectNext.push(550);
    await w.http.post(
      `/api/v1/organizations/${w.prime.id}/workers`,
      { name: '不達　二郎', email: 'bounce@aki-joho.example.jp' },
      w.managers.prime.token,
    );
    await sender().drain();
    const [failed] = await t.query(`SELECT id, status, attempts, last_error FROM mail_outbox WHERE recipient_index = ?`, [
      emailIndex('bounce@aki-joho.example.jp'),
    ]);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    // The relay's words, with the address in them masked.
    expect(failed.last_error).toBe('550 Mailbox unavailable <…@…>');

    const admin = { authorization: `Bearer ${w.admin.token}` };
    const page = await t.app.inject({ method: 'GET', url: '/admin/outbox?status=failed', headers: admin });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('bo***@aki-joho.example.jp');
    expect(page.body).not.toContain('bounce@aki-joho.example.jp');
    expect(page.body).toContain('550 Mailbox unavailable');
    expect(page.body).toContain('従事者への招待');
    expect(page.body).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2} JST/);
    const api = await w.http.get('/api/v1/mail/outbox?status=failed', w.admin.token);
    expect(api.body.items[0]).toMatchObject({
      id: failed.id,
      kind: 'worker_invitation',
      recipient: 'bo***@aki-joho.example.jp',
      status: 'failed',
    });
    for (const who of [w.staff.token, w.managers.prime.token])
      expect((await t.app.inject({ method: 'GET', url: '/admin/outbox', headers: { authorization: `Bearer ${who}` } })).statusCode).toBe(
        403,
      );

    expect((await w.http.post('/api/v1/mail/outbox/retry', { ids: [failed.id] }, w.admin.token)).body).toEqual({ retried: 1 });
    await arrival('bounce@aki-joho.example.jp', 'worker-invitation:');
  });

  it('empties the params of a sent message (they may hold a one-time link)', async () => {
    const rows = await t.query(`SELECT params FROM mail_outbox WHERE status = 'sent'`);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((r) => decrypted('mail_outbox.params', r.params) === '{}')).toBe(true);
  });
});

describe('without SMTP_URL', () => {
  let bare: TestApp;
  beforeAll(async () => {
    bare = await createTestApp();
  });
  afterAll(() => bare?.close());

  it('keeps the messages in the outbox, listed for the admin', async () => {
    const world = await buildWorld(bare);
    await world.http.post(
      `/api/v1/organizations/${world.prime.id}/workers`,
      { name: '保管　一郎', email: 'kept@example.jp' },
      world.managers.prime.token,
    );
    expect(await bare.app.get(MailSender).drain()).toBe(0);
    const page = await bare.app.inject({ method: 'GET', url: '/admin/outbox', headers: { authorization: `Bearer ${world.admin.token}` } });
    expect(page.body).toContain('SMTP_URL が設定されていないため');
    expect(page.body).toContain('ke***@example.jp');
    const [row] = await bare.query(`SELECT status, attempts FROM mail_outbox WHERE recipient_index = ?`, [emailIndex('kept@example.jp')]);
    expect(row).toEqual({ status: 'pending', attempts: 0 });
  });
});
