import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { buildWorld, enrolledWorker, login, ADMIN, type World } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/create-app';
import { snapshotDatabase } from '../utils/db-snapshot';
import { answerKey, sit } from '../utils/quiz';

/*
 * Property-based fuzzing of every POST route (issue 15). The routes are the
 * ones Fastify registers (an onRoute hook), so a new route is fuzzed without
 * anyone listing it; ROUTES below knows, per route, who may call it and a
 * valid body, so that the hostile bodies generated from it reach the route's
 * own field rules (a route without an entry still gets every body-level
 * attack). Every generated body carries at least one hostile element — a
 * wrong type, deep nesting, a lone surrogate, a huge string, a prototype key,
 * a control character, bytes that are not UTF-8, a wrong content type — so
 * every answer must be a 4xx in the error shape, and a snapshot of every table
 * taken before and after a route's run must be unchanged.
 *
 * `npm test`: FUZZ_RUNS=200 bodies per route (the default). `npm run fuzz`:
 * 500 per route, over 15,000 in all. FUZZ_SEED changes the seed (default 15);
 * a failure prints the seed and path to replay it.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? 15);

type Kind = 'json' | 'form' | 'csv' | 'none';

interface RouteSpec {
  /** The Bearer token of the caller; none for a public route. */
  token?: string;
  params?: Record<string, string>;
  /** json: an API DTO; form: a page form (which takes JSON too); csv: a file upload; none: no body at all. */
  kind: Kind;
  /** A body the route would accept; hostile bodies spoil at least one of its fields. */
  valid?: Record<string, string | string[] | number | boolean>;
  /** The fields the route checks (default: the valid body's); a page ignores the rest. */
  fields?: string[];
  /** A public page form: send the double-submit CSRF cookie and field. */
  anonymousForm?: boolean;
}

interface HostileRequest {
  contentType?: string;
  payload: string | Buffer;
  accept?: string;
  what: string;
}

/** How fast-check prints a counterexample: what it is and the start of its bytes, not a megabyte of them. */
function describe_(req: HostileRequest): HostileRequest {
  const preview = () => `${req.what} (${req.contentType ?? 'no content type'}): ${String(req.payload).slice(0, 200)}`;
  return Object.assign(req, { [fc.toStringMethod]: preview });
}

let t: TestApp;
let w: World;
const postRoutes = new Set<string>();
const ROUTES: Record<string, RouteSpec> = {};

beforeAll(async () => {
  t = await createTestApp({
    onRoute: (r) => {
      if ((Array.isArray(r.method) ? r.method : [r.method]).includes('POST')) postRoutes.add(r.url);
    },
  });
  w = await buildWorld(t);
  const http = w.http;
  const prime = w.managers.prime.token;
  const curriculum = w.engagement.curriculum as string[];

  // A certified worker (for the revocation forms) and one with an open attempt (for the submission forms).
  const certified = await enrolledWorker(http, prime, w.prime.id, '認定　一郎', 'certified@example.jp');
  const learner = await enrolledWorker(http, prime, w.prime.id, '受講　花子', 'learner@example.jp');
  await http.post(`${w.E}/assignments`, { workerIds: [certified.workerId, learner.workerId] }, prime);
  let serial = '';
  for (const m of curriculum) {
    const r = await sit(t, http, certified.token, m, w.engagement.id);
    if (r.body.certificate) serial = r.body.certificate.serial;
  }
  if (!serial) throw new Error('no certificate issued');
  const attempt = await http.post(`/api/v1/modules/${curriculum[0]}/attempts`, { engagementId: w.engagement.id }, learner.token);
  const attemptId = attempt.body.attemptId as string;
  const key = await answerKey(t, attemptId);
  const answers = [...key].map(([questionId, k]) => ({ questionId, choiceIds: k.correct }));
  const pending = (
    await http.post(`/api/v1/organizations/${w.prime.id}/workers`, { name: '未登録　三郎', email: 'pending@example.jp' }, prime)
  ).body;
  // A company the town registered without a manager, for the invitation forms.
  const managerless = (await http.post('/api/v1/organizations', { name: '管理者未定株式会社' }, w.staff.token)).body as { id: string };
  // Sessions of their own for the two sign-out routes.
  const apiLogoutToken = (await login(http, ADMIN.email, ADMIN.password)).token;
  const pageLogoutToken = (await login(http, ADMIN.email, ADMIN.password)).token;

  const engagementBody = {
    title: '研修対象業務',
    contractNumber: 'R8-FUZZ-1',
    primeContractorId: w.prime.id,
    startsOn: '2027-04-01',
    endsOn: '2028-03-31',
    handlesPersonalInfo: true,
    handlesMyNumber: false,
    usesCloudStorage: false,
  };
  Object.assign(ROUTES, {
    // The JSON API.
    '/api/v1/auth/login': { kind: 'json', valid: { email: ADMIN.email, password: ADMIN.password } },
    '/api/v1/auth/enroll': { kind: 'json', valid: { enrollmentCode: pending.enrollmentCode, password: 'a-long-password' } },
    '/api/v1/auth/logout': { kind: 'none', token: apiLogoutToken },
    '/api/v1/users': {
      kind: 'json',
      token: w.admin.token,
      valid: {
        email: 'new.manager@example.jp',
        displayName: '新しい管理者',
        role: 'org_manager',
        password: 'a-long-password-1',
        organizationId: w.prime.id,
      },
    },
    '/api/v1/municipalities': { kind: 'json', token: w.admin.token, valid: { name: '安芸郡坂町', code: '343099' } },
    '/api/v1/organizations': { kind: 'json', token: w.admin.token, valid: { name: '株式会社ファズ', corporateNumber: '8000012010038' } },
    '/api/v1/engagements': { kind: 'json', token: w.staff.token, valid: engagementBody },
    '/api/v1/engagements/:id/subcontractors': {
      kind: 'json',
      token: prime,
      params: { id: w.engagement.id },
      valid: { organizationId: w.outsider.id, parentOrganizationId: w.prime.id },
    },
    '/api/v1/engagements/:id/subcontractors/:organizationId/approval': {
      kind: 'json',
      token: w.staff.token,
      params: { id: w.engagement.id, organizationId: w.subB.id },
      valid: { approved: true, decidedOn: '2026-12-01', reference: '府総第2号' },
    },
    '/api/v1/organizations/:id/workers': {
      kind: 'json',
      token: prime,
      params: { id: w.prime.id },
      valid: { name: '新規　四郎', email: 'shiro@example.jp', employeeNumber: 'E-4' },
    },
    '/api/v1/organizations/:id/workers/import': { kind: 'csv', token: prime, params: { id: w.prime.id } },
    '/api/v1/organizations/:id/workers/enrollment-codes': { kind: 'none', token: prime, params: { id: w.prime.id } },
    '/api/v1/workers/:id/enrollment-code': { kind: 'none', token: prime, params: { id: pending.id } },
    '/api/v1/engagements/:id/assignments': {
      kind: 'json',
      token: prime,
      params: { id: w.engagement.id },
      valid: { workerIds: [pending.id] },
    },
    '/api/v1/modules/:id/attempts': {
      kind: 'json',
      token: learner.token,
      params: { id: curriculum[1] },
      valid: { engagementId: w.engagement.id },
    },
    '/api/v1/attempts/:id/submission': {
      kind: 'json',
      token: learner.token,
      params: { id: attemptId },
      valid: { answers: answers as unknown as string[] },
    },
    '/api/v1/certificates/verify': { kind: 'json', token: w.staff.token, valid: { serials: [serial] } },
    '/api/v1/certificates/:serial/revocation': { kind: 'json', token: w.staff.token, params: { serial }, valid: { reason: '契約解除' } },
    '/api/v1/certificates/:serial/reinstatement': {
      kind: 'json',
      token: w.staff.token,
      params: { serial },
      valid: { reason: '誤って取り消したため', retraining: false },
    },
    // E-mail (issue 19): the codes are well-formed but unknown, so a valid body would answer 400 too; hostile ones must as well.
    '/api/v1/auth/password-reset': { kind: 'json', valid: { email: 'someone@example.jp' } },
    '/api/v1/auth/password-reset/confirmation': { kind: 'json', valid: { code: 'ABCD-EFGH-JKMN-PQRS-TVWX', password: 'a-long-password' } },
    '/api/v1/auth/address-proof': { kind: 'json', valid: { code: 'ABCD-EFGH-JKMN-PQRS-TVWX' } },
    '/api/v1/auth/invitation': {
      kind: 'json',
      valid: { code: 'ABCD-EFGH-JKMN-PQRS-TVWX', displayName: '管理　太郎', password: 'a-long-password-1' },
    },
    '/api/v1/engagements/:id/reminders': { kind: 'none', token: prime, params: { id: w.engagement.id } },
    // Close-out (issue 22): the engagement has not ended, so even a valid request is refused (409) and nothing changes.
    '/api/v1/engagements/:id/close-out': { kind: 'none', token: w.staff.token, params: { id: w.engagement.id } },
    '/api/v1/engagements/:id/erasure': { kind: 'json', token: w.staff.token, params: { id: w.engagement.id }, valid: { confirm: true } },
    '/api/v1/mail/outbox/retry': { kind: 'json', token: w.admin.token, valid: { ids: [randomUUID()] } },
    // The page forms.
    '/password-reset': { kind: 'form', anonymousForm: true, valid: { email: 'someone@example.jp' } },
    '/password-reset/new': {
      kind: 'form',
      anonymousForm: true,
      valid: { code: 'ABCD-EFGH-JKMN-PQRS-TVWX', password: 'a-long-password', passwordConfirm: 'a-long-password' },
    },
    '/confirm-address': { kind: 'form', anonymousForm: true, valid: { code: 'ABCD-EFGH-JKMN-PQRS-TVWX' } },
    '/invitation': {
      kind: 'form',
      anonymousForm: true,
      valid: {
        code: 'ABCD-EFGH-JKMN-PQRS-TVWX',
        displayName: '管理　太郎',
        password: 'a-long-password-1',
        passwordConfirm: 'a-long-password-1',
      },
    },
    '/admin/outbox/retry': { kind: 'form', token: w.admin.token, valid: { ids: [randomUUID()] } },
    '/engagements/:id/reminders': { kind: 'none', token: prime, params: { id: w.engagement.id } },
    '/town/engagements/:id/close-out': { kind: 'none', token: w.staff.token, params: { id: w.engagement.id } },
    '/town/engagements/:id/erasure': { kind: 'form', token: w.staff.token, params: { id: w.engagement.id }, valid: { confirm: 'yes' } },
    '/town/engagements/:id/reminder-days': {
      kind: 'form',
      token: w.staff.token,
      params: { id: w.engagement.id },
      valid: { reminderDays: '14, 3' },
    },
    '/login': { kind: 'form', anonymousForm: true, valid: { email: ADMIN.email, password: ADMIN.password } },
    '/enroll': {
      kind: 'form',
      anonymousForm: true,
      valid: { enrollmentCode: pending.enrollmentCode, password: 'a-long-password', passwordConfirm: 'a-long-password' },
    },
    '/logout': { kind: 'none', token: pageLogoutToken },
    '/verify': { kind: 'form', valid: { serial } },
    '/manager/workers': { kind: 'form', token: prime, valid: { name: '新規　五郎', email: 'goro@example.jp', employeeNumber: 'E-5' } },
    '/manager/workers/import': { kind: 'csv', token: prime },
    '/manager/workers/enrollment-codes': { kind: 'form', token: prime, valid: { confirm: 'yes', output: 'csv' } },
    '/manager/workers/:workerId/enrollment-code': { kind: 'none', token: prime, params: { workerId: pending.id } },
    '/manager/engagements/:id/assignments/:workerId/removal': {
      kind: 'none',
      token: prime,
      params: { id: w.engagement.id, workerId: learner.workerId },
    },
    '/manager/engagements/:id/assignments': {
      kind: 'form',
      token: prime,
      params: { id: w.engagement.id },
      valid: { workerIds: [pending.id] },
    },
    '/manager/engagements/:id/subcontractors': {
      kind: 'form',
      token: prime,
      params: { id: w.engagement.id },
      valid: { organizationId: '', name: '株式会社下請', corporateNumber: '' },
      fields: ['organizationId', 'name', 'corporateNumber'],
    },
    '/town/engagements': {
      kind: 'form',
      token: w.staff.token,
      valid: {
        ...engagementBody,
        handlesPersonalInfo: 'on',
        handlesMyNumber: '',
        usesCloudStorage: '',
        passMark: '80',
        certificateValidityDays: '365',
      },
    },
    '/town/engagements/:id/subcontractors/:organizationId/decision': {
      kind: 'form',
      token: w.staff.token,
      params: { id: w.engagement.id, organizationId: w.subB.id },
      valid: { decision: 'approve', decidedOn: '2026-12-01', reference: '府総第3号', next: '/town/approvals' },
      fields: ['decision', 'decidedOn', 'reference'],
    },
    '/town/certificates/verify': { kind: 'form', token: w.staff.token, valid: { serials: serial } },
    '/town/certificates/verify.csv': { kind: 'form', token: w.staff.token, valid: { serials: serial } },
    '/town/certificates/:serial/revocation': {
      kind: 'form',
      token: w.staff.token,
      params: { serial },
      valid: { reason: '契約解除', confirm: 'yes' },
    },
    '/town/certificates/:serial/reinstatement': {
      kind: 'form',
      token: w.staff.token,
      params: { serial },
      valid: { reason: '誤って取り消したため', retraining: 'yes', confirm: 'yes' },
    },
    '/learn/:engagementId/:moduleId/attempts': {
      kind: 'form',
      token: learner.token,
      params: { engagementId: w.engagement.id, moduleId: curriculum[1] },
      valid: { next: `/learn/${w.engagement.id}/${curriculum[1]}` },
    },
    '/manager/workers/:workerId/slip': {
      kind: 'form',
      token: prime,
      params: { workerId: pending.id },
      valid: { enrollmentCode: pending.enrollmentCode },
    },
    '/organizations/:id/manager-invitation': {
      kind: 'form',
      token: w.staff.token,
      params: { id: managerless.id },
      valid: { name: '招待　花子', email: 'invitee@example.jp', next: '/town' },
      fields: ['name', 'email'],
    },
    '/api/v1/organizations/:id/manager-invitations': {
      kind: 'json',
      token: w.staff.token,
      params: { id: managerless.id },
      valid: { name: '招待　花子', email: 'invitee@example.jp' },
    },
    '/quiz/:attemptId': {
      kind: 'form',
      token: learner.token,
      params: { attemptId },
      valid: Object.fromEntries(answers.map((a) => [`q_${a.questionId}`, a.choiceIds])),
    },
  } satisfies Record<string, RouteSpec>);
}, 120_000);

afterAll(() => t?.close());

// ---------------------------------------------------------------- hostile values

/** Control characters and their look-alikes, none of them white space that a trim or a split would remove. */
const CONTROL = ['\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0080', '\u0085', '\u009f', '\u202e', '\u2066'];
const text = fc.string({ maxLength: 12 });
const withControl = fc.tuple(text, fc.constantFrom(...CONTROL), text).map(([a, c, b]) => `${a}${c}${b}`);
const loneSurrogate = fc
  .tuple(text, fc.integer({ min: 0xd800, max: 0xdfff }), text)
  .map(([a, s, b]) => `${a}${String.fromCharCode(s)}${b}`);
const huge = fc.integer({ min: 5_000, max: 60_000 }).map((n) => '山'.repeat(n));

/** Marks a value that only JSON can carry: nested arrays past the depth limit, or an object with a prototype key. */
class RawJson {
  constructor(readonly json: string) {}
}
const deep = fc.integer({ min: 17, max: 3_000 }).map((d) => new RawJson('['.repeat(d) + ']'.repeat(d)));
const protoKey = fc
  .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), text)
  .map(([k, v]) => new RawJson(`{${JSON.stringify(k)}:{"isAdmin":true,"v":${JSON.stringify(v)}}}`));
const nonEmptyObject = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.integer(), fc.string()), {
  minKeys: 1,
  maxKeys: 3,
});
/**
 * A value of another type than the field's (taken from its valid value): never
 * null (an optional field reads it as absent) nor an empty list, which are
 * valid somewhere.
 */
function wrongTypeFor(valid: unknown): fc.Arbitrary<Value> {
  const list = fc.array(fc.integer(), { minLength: 1, maxLength: 3 });
  if (typeof valid === 'boolean') return fc.oneof(fc.integer(), fc.string(), list, nonEmptyObject);
  if (typeof valid === 'number') return fc.oneof(fc.boolean(), fc.string(), list, nonEmptyObject);
  if (Array.isArray(valid)) return fc.oneof(fc.integer(), fc.boolean(), withControl, list, nonEmptyObject);
  return fc.oneof(fc.integer(), fc.boolean(), fc.double(), list, nonEmptyObject);
}

/** A JSON body that is not an object ({} would be a valid empty body). */
const rootNotObject = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.double(),
  fc.string(),
  fc.array(fc.integer(), { maxLength: 3 }),
);

type Value = string | string[] | number | boolean | null | object | RawJson;
/** A hostile value for a field of a JSON body: every kind. */
const jsonHostile = (valid: unknown): fc.Arbitrary<Value> =>
  fc.oneof(withControl, loneSurrogate, huge, deep, protoKey, wrongTypeFor(valid));
/** A hostile value for a form field: strings only (a repeated field is a list). */
const formHostile = (_valid: unknown): fc.Arbitrary<Value> =>
  fc.oneof(
    withControl,
    loneSurrogate,
    huge,
    fc.tuple(withControl, text).map(([a, b]) => [a, b]),
  );

// ---------------------------------------------------------------- serialising

function toJson(value: Value): string {
  if (value instanceof RawJson) return value.json;
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v as Value)).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v as Value)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** Percent-encoding as a browser would, except that a lone surrogate becomes the bytes it would be in CESU-8 (not UTF-8). */
function formComponent(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff)
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

function toForm(body: Record<string, Value>): string {
  return Object.entries(body)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${formComponent(k)}=${formComponent(String(x))}`))
    .join('&');
}

// ---------------------------------------------------------------- hostile requests per kind

const json = (body: Record<string, Value> | Value, what: string): HostileRequest => ({
  contentType: 'application/json',
  payload: toJson(body as Value),
  what,
});

/** Attacks on the body as a whole, for any route. */
function bodyLevel(valid: Record<string, Value>): fc.Arbitrary<HostileRequest> {
  const validJson = toJson(valid);
  return fc.oneof(
    fc.oneof(rootNotObject, deep, protoKey).map((root) => json(root as Value, 'a body that is not an object')),
    fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'image/png').map((contentType) => ({
      contentType,
      payload: validJson,
      what: `a ${contentType} body`,
    })),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({
      contentType: 'application/json',
      payload: Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff]), Buffer.from(bytes), Buffer.from('"}')]),
      what: 'JSON that is not UTF-8',
    })),
    fc
      .nat({ max: Math.max(0, validJson.length - 2) })
      .map((cut) => ({ contentType: 'application/json', payload: validJson.slice(0, cut + 1), what: 'truncated JSON' })),
    fc.constant({ contentType: 'application/json', payload: `{"x":"${'a'.repeat(1024 * 1024)}"}`, what: 'a JSON body over 1 MiB' }),
  );
}

/** A valid body with at least one of its checked fields spoiled (and maybe an unknown field added, which a DTO refuses). */
function spoiled(
  spec: RouteSpec,
  hostile: (valid: unknown) => fc.Arbitrary<Value>,
  addUnknown: boolean,
): fc.Arbitrary<Record<string, Value>> {
  const valid = spec.valid ?? {};
  const fields = spec.fields ?? Object.keys(valid);
  return fc
    .record({
      targets: fc.subarray(fields, { minLength: 1 }),
      values: fc.tuple(...fields.map((f) => hostile(valid[f]))),
      unknown: addUnknown
        ? fc.option(fc.tuple(fc.constantFrom('isAdmin', 'role2', 'extra'), hostile('')), { nil: undefined })
        : fc.constant(undefined),
    })
    .map(({ targets, values, unknown }) => {
      const body: Record<string, Value> = { ...valid };
      for (const f of targets) body[f] = values[fields.indexOf(f)];
      if (unknown) body[unknown[0]] = unknown[1];
      return body;
    });
}

function hostileRequests(spec: RouteSpec): fc.Arbitrary<HostileRequest> {
  return hostileRequestsOf(spec).map(describe_);
}

function hostileRequestsOf(spec: RouteSpec): fc.Arbitrary<HostileRequest> {
  const valid = spec.valid ?? {};
  switch (spec.kind) {
    case 'json':
      return fc.oneof(
        { weight: 6, arbitrary: spoiled(spec, jsonHostile, true).map((b) => json(b, 'a spoiled field')) },
        { weight: 2, arbitrary: bodyLevel(valid) },
      );
    case 'form':
      return fc.oneof(
        {
          weight: 4,
          arbitrary: spoiled(spec, formHostile, false).map((b) => ({
            contentType: 'application/x-www-form-urlencoded',
            payload: toForm(b),
            accept: 'text/html',
            what: 'a spoiled form field',
          })),
        },
        { weight: 2, arbitrary: spoiled(spec, jsonHostile, false).map((b) => json(b, 'a spoiled field, as JSON')) },
        {
          weight: 1,
          arbitrary: fc.constantFrom('%ED%A0%80', '%ZZ', '%C3', '__proto__=1', 'constructor=x').map((bad) => ({
            contentType: 'application/x-www-form-urlencoded',
            payload: `${toForm(valid as Record<string, Value>)}&${bad.includes('=') ? bad : `x=${bad}`}`,
            accept: 'text/html',
            what: 'a form that cannot be decoded',
          })),
        },
        { weight: 2, arbitrary: bodyLevel(valid) },
      );
    case 'none':
      return fc.oneof(
        fc.tuple(fc.constantFrom('x', 'name', 'force'), jsonHostile('')).map(([k, v]) => json({ [k]: v }, 'a body where none is taken')),
        fc.tuple(fc.constantFrom('x', 'name'), formHostile('')).map(([k, v]) => ({
          contentType: 'application/x-www-form-urlencoded',
          payload: toForm({ [k]: v }),
          what: 'a form where none is taken',
        })),
        bodyLevel({ x: 'y' }),
      );
    case 'csv': {
      const csv = (payload: Buffer | string, what: string, contentType = 'text/csv'): HostileRequest => ({ contentType, payload, what });
      const cell = fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n",]/g, ''));
      return fc.oneof(
        cell.map((c) =>
          csv(
            Buffer.concat([Buffer.from(`name,email\r\n${c}`), Buffer.from([0xff, 0xfe]), Buffer.from(',a@example.jp\r\n')]),
            'bytes neither UTF-8 nor Shift_JIS',
          ),
        ),
        cell.map((c) => csv(`name,email\r\n"${c},a@example.jp\r\n`, 'a quote never closed')),
        fc.array(cell, { minLength: 1, maxLength: 4 }).map((cells) => csv(`foo,bar\r\n${cells.join(',')}\r\n`, 'no name,email header')),
        fc
          .uint8Array({ maxLength: 40 })
          .map((b) => csv(Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.from(b)]), 'an Excel workbook')),
        cell.map((c) => csv(Buffer.from(`name\temail\r\n${c}\tx\r\n`, 'utf16le'), 'UTF-16 without BOM', 'application/octet-stream')),
        fc.constant(csv('', 'an empty file')),
        spoiled({ kind: 'json', valid: { name: 'x' } }, jsonHostile, true).map((b) => json(b, 'JSON instead of CSV')),
        fc.constantFrom('text/plain', 'application/xml').map((ct) => csv('name,email\r\n山田,a@example.jp\r\n', `CSV as ${ct}`, ct)),
        fc
          .oneof(
            cell.map((c) => `"${c}`),
            fc.constant(''),
            cell.map((c) => `foo\r\n${c}`),
          )
          .map((c) => ({
            contentType: 'application/x-www-form-urlencoded',
            payload: `csv=${formComponent(c)}`,
            accept: 'text/html',
            what: 'a pasted CSV that is not one',
          })),
      );
    }
  }
}

// ---------------------------------------------------------------- running

const fillParams = (url: string, params: Record<string, string> = {}) =>
  url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? randomUUID()));

const isErrorShape = (status: number, body: unknown) => {
  const b = body as Record<string, unknown>;
  return b?.statusCode === status && typeof b.error === 'string' && typeof b.message === 'string' && typeof b.requestId === 'string';
};

async function fuzzRoute(url: string, spec: RouteSpec): Promise<number> {
  const before = await snapshotDatabase(t);
  let sent = 0;
  const csrf = 'f'.repeat(43);
  await fc.assert(
    fc.asyncProperty(hostileRequests(spec), async (req) => {
      sent++;
      let payload = req.payload;
      const headers: Record<string, string> = {};
      if (req.contentType) headers['content-type'] = req.contentType;
      if (req.accept) headers.accept = req.accept;
      if (spec.token) headers.authorization = `Bearer ${spec.token}`;
      if (spec.anonymousForm) {
        headers.cookie = `a4_csrf=${csrf}`;
        headers['x-csrf-token'] = csrf;
        if (req.contentType === 'application/x-www-form-urlencoded' && typeof payload === 'string') payload = `_csrf=${csrf}&${payload}`;
      }
      const r = await t.app.inject({ method: 'POST', url: fillParams(url, spec.params), headers, payload });
      const type = String(r.headers['content-type'] ?? '');
      const shaped = type.includes('json') ? isErrorShape(r.statusCode, r.json()) : type.includes('text/html') && r.body.includes('<html');
      if (r.statusCode < 400 || r.statusCode >= 500 || !shaped)
        throw new Error(`${req.what}: ${r.statusCode} ${type} ${r.body.slice(0, 300)}`);
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  const after = await snapshotDatabase(t);
  expect(after).toEqual(before);
  return sent;
}

const KNOWN = [
  '/api/v1/auth/password-reset',
  '/api/v1/auth/password-reset/confirmation',
  '/api/v1/auth/address-proof',
  '/api/v1/auth/invitation',
  '/api/v1/engagements/:id/reminders',
  '/api/v1/engagements/:id/close-out',
  '/api/v1/engagements/:id/erasure',
  '/api/v1/mail/outbox/retry',
  '/password-reset',
  '/password-reset/new',
  '/confirm-address',
  '/invitation',
  '/admin/outbox/retry',
  '/engagements/:id/reminders',
  '/town/engagements/:id/reminder-days',
  '/town/engagements/:id/close-out',
  '/town/engagements/:id/erasure',
  '/api/v1/auth/login',
  '/api/v1/auth/enroll',
  '/api/v1/auth/logout',
  '/api/v1/users',
  '/api/v1/municipalities',
  '/api/v1/organizations',
  '/api/v1/engagements',
  '/api/v1/engagements/:id/subcontractors',
  '/api/v1/engagements/:id/subcontractors/:organizationId/approval',
  '/api/v1/organizations/:id/workers',
  '/api/v1/organizations/:id/workers/import',
  '/api/v1/organizations/:id/workers/enrollment-codes',
  '/api/v1/workers/:id/enrollment-code',
  '/api/v1/engagements/:id/assignments',
  '/api/v1/modules/:id/attempts',
  '/api/v1/attempts/:id/submission',
  '/api/v1/certificates/verify',
  '/api/v1/certificates/:serial/revocation',
  '/api/v1/certificates/:serial/reinstatement',
  '/login',
  '/enroll',
  '/logout',
  '/verify',
  '/manager/workers',
  '/manager/workers/import',
  '/manager/workers/enrollment-codes',
  '/manager/workers/:workerId/enrollment-code',
  '/manager/engagements/:id/assignments',
  '/manager/engagements/:id/assignments/:workerId/removal',
  '/manager/engagements/:id/subcontractors',
  '/town/engagements',
  '/town/engagements/:id/subcontractors/:organizationId/decision',
  '/town/certificates/verify',
  '/town/certificates/verify.csv',
  '/town/certificates/:serial/revocation',
  '/town/certificates/:serial/reinstatement',
  '/learn/:engagementId/:moduleId/attempts',
  '/quiz/:attemptId',
  '/manager/workers/:workerId/slip',
  '/organizations/:id/manager-invitation',
  '/api/v1/organizations/:id/manager-invitations',
];
let total = 0;

describe(`fuzzing every POST route (${RUNS} hostile bodies each, seed ${SEED})`, () => {
  it('knows every POST route the application registers, and no other', () => {
    expect([...postRoutes].sort()).toEqual([...KNOWN].sort());
    expect(Object.keys(ROUTES).sort()).toEqual([...KNOWN].sort());
  });

  it.each(KNOWN)(
    'POST %s answers 4xx in the error shape and writes nothing',
    async (url) => {
      total += await fuzzRoute(url, ROUTES[url]);
    },
    Math.max(60_000, RUNS * 400),
  );

  it('fuzzes routes nobody listed with every body-level attack', async () => {
    // A route added later and missing from KNOWN fails the first test; until it is listed, it is still attacked here.
    for (const url of [...postRoutes].filter((u) => !KNOWN.includes(u)))
      total += await fuzzRoute(url, { kind: 'none', token: w.admin.token });
    expect(total).toBeGreaterThanOrEqual(KNOWN.length * RUNS);
  }, 600_000);
});
