import { dirname } from 'node:path';
import { dataKey, DataKeyRing } from '../../src/common/crypto/field-cipher';
import Database from 'better-sqlite3';
import { createHash, createPrivateKey, KeyObject } from 'node:crypto';
import { buildOpenBadgeCredential, maskName, vcJosePayload } from '../../src/certificates/credential/open-badge';
import { credentialHeader, signCompactJws } from '../../src/certificates/credential/jws';
import { keyUrl, privateKeyToPem, thumbprintOf } from '../../src/certificates/credential/keys';
import { formatSerial, SERIAL_ALPHABET, serialCheckChar } from '../../src/certificates/credential/serial';
import { emptyBits, setBit, STATUS_LIST_SIZE } from '../../src/certificates/credential/status-list';
import type { TrainingModule } from '../../src/content/content.types';
import { deriveCurriculum } from '../../src/content/curriculum';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { openDatabase } from '../../src/database/migrate';
import { Prng } from './prng';
import type { Sizes } from './sizes';

/*
 * The benchmark's data set, generated from a seed: a municipality, a
 * tracking engagement of `workers` workers and one of `workersLarge` (each
 * with `organizations` organizations over three tiers, most workers
 * certified, some in progress, some not started), a past engagement whose
 * certificates bring the total to `certificates`, a quiz engagement whose
 * workers have sessions, and empty organizations to import CSV files into.
 *
 * The schema comes from the application's own migrations; rows are written
 * with plain better-sqlite3 statements (fast). Every id, name, serial,
 * score and date comes from the seeded generator; dates are offsets from
 * `anchor` (the start of the current UTC day), because validity and
 * deadlines are judged against the real clock. Historical attempts store an
 * empty question list: only their worker, module and score are ever read by
 * the measured paths, and full sittings would multiply the file size.
 */

const DAY = 86400_000;
export const BASE_URL = 'http://127.0.0.1';

const FAMILY = [
  '佐藤',
  '鈴木',
  '高橋',
  '田中',
  '伊藤',
  '渡辺',
  '山本',
  '中村',
  '小林',
  '加藤',
  '吉田',
  '山田',
  '佐々木',
  '山口',
  '松本',
  '井上',
  '木村',
  '林',
  '斎藤',
  '清水',
  '森',
  '池田',
  '橋本',
  '石川',
  '前田',
];
const GIVEN = [
  '太郎',
  '花子',
  '一郎',
  '直子',
  '健',
  '美咲',
  '翔太',
  '陽子',
  '大輔',
  '恵',
  '拓也',
  '由美',
  '誠',
  '彩',
  '亮',
  '真由美',
  '悠斗',
  '千尋',
  '浩二',
  '沙織',
];
const PLACE = ['安芸', '広島', '府中', '海田', '瀬戸内', '中国', '西日本', '宮島', '呉', '東広島', '尾道', '三原'];
const TRADE = ['情報', 'データ', 'システム', 'ソフト', 'ネット', '電算', '技研', 'テクノ'];
const FORM = ['株式会社', '合同会社', 'サービス株式会社'];

export interface Manifest {
  seed: number;
  sizes: string;
  anchor: string;
  counts: Record<string, number>;
  signingKeyPem: string;
  /** Base64 of the data key the personal columns are encrypted with (DATA_ENCRYPTION_KEY of the service). */
  dataEncryptionKey: string;
  staffToken: string;
  curriculum: string[];
  tracking: { id: string; workers: number };
  trackingLarge: { id: string; workers: number };
  /** Every certificate serial, in a seeded random order. */
  serials: string[];
  quiz: { engagementId: string; moduleIds: string[]; app: string[]; baseline: string[] };
  csv: { app: { orgId: string; token: string }[]; baseline: { orgId: string; token: string }[] };
}

/** Creates the schema with the application's real migrations. */
export async function migrate(file: string): Promise<void> {
  const ds = await openDatabase({
    ...dataSourceOptions({ databaseKind: 'sqlite', databaseUrl: `sqlite:${file}`, sqlitePath: file, dataDir: dirname(file) }),
    logging: false,
  });
  await ds.destroy();
}

/** An Ed25519 key from 32 seeded bytes (PKCS#8 DER prefix for Ed25519 + the seed). */
function seededKey(prng: Prng): KeyObject {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), prng.bytes(32)]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** The data set's data key, from its seed (no PRNG draw, so the data set itself does not change with it). */
const dataKeyOf = (seed: number) => createHash('sha256').update(`article4-bench data key ${seed}`).digest();
const iso = (ms: number) => new Date(ms).toISOString();
const isoDate = (ms: number) => iso(ms).slice(0, 10);

export function seedDataset(file: string, sizes: Sizes, seed: number, anchor: number, modules: readonly TrainingModule[]): Manifest {
  const prng = new Prng(seed);
  const db = new Database(file);
  // A throwaway file being filled: no journal, no syncs, a large page cache; WAL (as the service runs it) at the end.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  // Certificates name status lists written at the end (their bits hold the revocations): checked once afterwards.
  db.pragma('foreign_keys = OFF');
  const key = seededKey(prng);
  const kid = thumbprintOf(key);
  const byId = new Map(modules.map((m) => [m.id, m]));
  const curriculum = deriveCurriculum(modules, { handlesPersonalInfo: true, handlesMyNumber: false, usesCloudStorage: true });
  const counts: Record<string, number> = {};
  const count = (table: string, n = 1) => (counts[table] = (counts[table] ?? 0) + n);

  const ins = (table: string, columns: string[]) => {
    const stmt = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    return (...values: unknown[]) => {
      stmt.run(...values);
      count(table);
    };
  };
  const insMunicipality = ins('municipalities', ['id', 'name', 'code', 'created_at']);
  const insOrg = ins('organizations', [
    'id',
    'name',
    'corporate_number',
    'created_at',
    'created_by_organization_id',
    'created_by_municipality_id',
  ]);
  // Personal data is encrypted at rest as the service writes it (docs/data-protection.md), under a key
  // derived from the seed and given to the service as DATA_ENCRYPTION_KEY; the baseline stays plain.
  const ring = new DataKeyRing();
  ring.add([], dataKey(dataKeyOf(seed)));
  const enc = (v: string, context: string) => ring.encrypt(v, context);
  const insUserRow = ins('users', [
    'id',
    'email_index',
    'email',
    'display_name',
    'role',
    'password_hash',
    'municipality_id',
    'organization_id',
    'worker_id',
    'created_at',
  ]);
  const insUser = (id: string, email: string, displayName: string, ...rest: unknown[]) =>
    insUserRow(id, ring.blindIndex(email), enc(email, 'users.email'), enc(displayName, 'users.display_name'), ...rest);
  const insSession = ins('sessions', ['id', 'user_id', 'token_hash', 'created_at', 'expires_at', 'revoked_at']);
  const insEngagement = ins('engagements', [
    'id',
    'municipality_id',
    'title',
    'contract_number',
    'prime_organization_id',
    'starts_on',
    'ends_on',
    'handles_personal_info',
    'handles_my_number',
    'uses_cloud_storage',
    'extra_module_ids',
    'curriculum',
    'pass_mark',
    'certificate_validity_days',
    'created_at',
  ]);
  const insLink = ins('subcontract_links', [
    'id',
    'engagement_id',
    'organization_id',
    'parent_organization_id',
    'tier',
    'status',
    'decided_on',
    'reference',
    'decided_by',
    'created_at',
  ]);
  const insWorkerRow = ins('workers', [
    'id',
    'organization_id',
    'email_index',
    'name',
    'email',
    'employee_number',
    'enrollment_code_hash',
    'enrollment_code_expires_at',
    'enrolled_at',
    'created_at',
    'updated_at',
  ]);
  const insWorker = (id: string, orgId: string, name: string, email: string, employeeNumber: string, ...rest: unknown[]) =>
    insWorkerRow(
      id,
      orgId,
      ring.blindIndex(email),
      enc(name, 'workers.name'),
      enc(email, 'workers.email'),
      enc(employeeNumber, 'workers.employee_number'),
      ...rest,
    );
  const insAssignment = ins('assignments', ['engagement_id', 'worker_id', 'assigned_by', 'assigned_at']);
  const insAttempt = ins('attempts', [
    'id',
    'worker_id',
    'engagement_id',
    'module_id',
    'revision',
    'content_hash',
    'pass_mark',
    'questions',
    'started_at',
    'expires_at',
    'submitted_at',
    'answers',
    'score',
    'passed',
  ]);
  const insCompletion = ins('completions', [
    'id',
    'worker_id',
    'module_id',
    'revision',
    'content_hash',
    'score',
    'attempt_id',
    'completed_at',
  ]);
  const insStatusList = ins('status_lists', ['id', 'purpose', 'size', 'bits', 'used', 'updated_at']);
  const insKey = ins('signing_keys', ['kid', 'public_jwk', 'created_at', 'retired_at']);
  // Only the public VC-JOSE form, the one the credential-fetch workload reads; the service signs the other forms on first fetch.
  const insCredential = ins('certificate_credentials', ['serial', 'form', 'jws']);
  const insCert = ins('certificates', [
    'id',
    'serial',
    'worker_id',
    'engagement_id',
    'organization_id',
    'status',
    'valid_from',
    'valid_until',
    'modules',
    'status_list_id',
    'status_index',
    'identity_salt',
    'revoked_at',
    'revocation_reason',
    'superseded_by',
    'issued_at',
    'engagement_title',
    'municipality_name',
    'organization_name',
    'holder_masked_name',
  ]);

  const supersede = db.prepare('UPDATE certificates SET superseded_by = ? WHERE id = ?');
  const now = iso(anchor);
  // Seeded users never sign in (their sessions are seeded), so one placeholder no password matches serves them all.
  const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hiZW5jaGJlbmNo$dW51c2VkLWJlbmNoLXBhc3N3b3JkLWhhc2gtdW51c2Vk';
  const token = () => prng.bytes(32).toString('base64url');
  const session = (userId: string) => {
    const t = token();
    insSession(prng.uuid(), userId, sha256(t), now, iso(anchor + 30 * DAY), null);
    return t;
  };
  let userSeq = 0;
  const user = (
    role: string,
    displayName: string,
    extra: { municipalityId?: string; organizationId?: string; workerId?: string; email?: string } = {},
  ) => {
    const id = prng.uuid();
    insUser(
      id,
      extra.email ?? `user${++userSeq}@bench.example.jp`,
      displayName,
      role,
      passwordHash,
      extra.municipalityId ?? null,
      extra.organizationId ?? null,
      extra.workerId ?? null,
      now,
    );
    return id;
  };
  let orgSeq = 0;
  const orgNames = new Map<string, string>();
  const org = (municipalityId: string) => {
    const id = prng.uuid();
    const name = `${prng.pick(PLACE)}${prng.pick(TRADE)}${prng.pick(FORM)} ${++orgSeq}`;
    insOrg(id, name, null, now, null, municipalityId);
    orgNames.set(id, name);
    return id;
  };
  let workerSeq = 0;
  const worker = (orgId: string) => {
    const w = { id: prng.uuid(), orgId, name: `${prng.pick(FAMILY)}\u3000${prng.pick(GIVEN)}`, email: `w${++workerSeq}@bench.example.jp` };
    insWorker(w.id, orgId, w.name, w.email, `E${String(workerSeq).padStart(6, '0')}`, null, null, now, now, now);
    return w;
  };
  const serials = new Set<string>();
  const serial = () => {
    for (;;) {
      const data = Array.from({ length: 12 }, () => SERIAL_ALPHABET[prng.int(32)]).join('');
      const s = formatSerial(data + serialCheckChar(data));
      if (serials.has(s)) continue;
      serials.add(s);
      return s;
    }
  };
  // Status lists: a new one when the current is half full, random free indexes (as the service does).
  type List = { id: string; used: Set<number>; revoked: number[] };
  let list: List | null = null;
  const lists: List[] = [];
  const statusIndex = () => {
    if (!list || list.used.size >= STATUS_LIST_SIZE / 2) lists.push((list = { id: prng.uuid(), used: new Set(), revoked: [] }));
    let i = prng.int(STATUS_LIST_SIZE);
    while (list.used.has(i)) i = prng.int(STATUS_LIST_SIZE);
    list.used.add(i);
    return { listId: list.id, index: i, list };
  };

  const write = db.transaction(() => {
    const municipalityId = prng.uuid();
    insMunicipality(municipalityId, '府中町', '343021', now);
    const staffId = user('town_staff', '府中町 情報政策課', { municipalityId });
    const staffToken = session(staffId);
    insKey(kid, JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: key.export({ format: 'jwk' }).x }), now, null);
    let contractSeq = 0;
    const engagement = (title: string, primeId: string, startsOn: number, endsOn: number, validityDays: number) => {
      const id = prng.uuid();
      insEngagement(
        id,
        municipalityId,
        title,
        `R8-${String(++contractSeq).padStart(3, '0')}`,
        primeId,
        isoDate(startsOn),
        isoDate(endsOn),
        1,
        0,
        1,
        '[]',
        JSON.stringify(curriculum),
        null,
        validityDays,
        now,
      );
      return { id, title, validityDays };
    };

    /** Writes a certificate with its signed credential; returns its id. */
    const certificate = (
      e: { id: string; title: string },
      workerId: string,
      orgId: string,
      holder: { name: string; email: string },
      issuedAt: number,
      validUntil: number,
      mods: { moduleId: string; revision: number; completedAt: string }[],
      status: 'valid' | 'revoked' | 'superseded',
      supersededBy: string | null = null,
    ) => {
      const id = prng.uuid();
      const s = serial();
      const { listId, index, list: l } = statusIndex();
      const salt = prng.bytes(16).toString('hex');
      const credential = signCompactJws(
        credentialHeader(keyUrl(BASE_URL, kid)),
        vcJosePayload(
          buildOpenBadgeCredential({
            baseUrl: BASE_URL,
            serial: s,
            subjectId: `urn:uuid:${id}`,
            validFrom: new Date(issuedAt),
            validUntil: new Date(validUntil),
            municipality: { name: '府中町', code: '343021' },
            engagement: { id: e.id, title: e.title },
            holder: { email: holder.email, name: holder.name, salt },
            modules: mods,
            status: { listUrl: `${BASE_URL}/api/v1/status-lists/${listId}`, index },
            form: 'public',
          }),
        ),
        key,
      );
      // Revoked and superseded certificates have their status bit set (certificates/standing.ts).
      if (status !== 'valid') l.revoked.push(index);
      insCert(
        id,
        s,
        workerId,
        e.id,
        orgId,
        status,
        iso(issuedAt),
        iso(validUntil),
        JSON.stringify(mods),
        listId,
        index,
        salt,
        status === 'revoked' ? iso(issuedAt + DAY) : null,
        status === 'revoked' ? '退職のため' : null,
        supersededBy,
        iso(issuedAt),
        // The public verification's words, written at issuance as the service does (migration CertificatePublicFacts).
        e.title,
        '府中町',
        orgNames.get(orgId)!,
        maskName(holder.name),
      );
      insCredential(s, 'public.vc', credential);
      return id;
    };

    /** One sitting of history: an attempt, and a completion when it passed. */
    const sitting = (workerId: string, engagementId: string, moduleId: string, at: number, passed: boolean) => {
      const m = byId.get(moduleId)!;
      const attemptId = prng.uuid();
      const score = passed ? 80 + 4 * prng.int(6) : 17 * (1 + prng.int(4));
      insAttempt(
        attemptId,
        workerId,
        engagementId,
        moduleId,
        m.revision,
        m.contentHash,
        m.passMark,
        '[]',
        iso(at - 600_000),
        iso(at + 1_200_000),
        iso(at),
        '[]',
        score,
        passed ? 1 : 0,
      );
      if (passed) insCompletion(prng.uuid(), workerId, moduleId, m.revision, m.contentHash, score, attemptId, iso(at));
    };

    /**
     * A tracking engagement: `n` workers in the organizations over three
     * tiers; 70 % certified (some certificates expire before the contract
     * ends, a few within 30 days, one in ten replaced a superseded one), 20 %
     * part-way through, 10 % not started. The last organization awaits approval.
     */
    const tracking = (label: string, n: number) => {
      const startsOn = anchor + 14 * DAY;
      const endsOn = startsOn + 365 * DAY;
      const primeId = org(municipalityId);
      const e = engagement(`住民情報システム運用保守業務（${label}）`, primeId, startsOn, endsOn, 730);
      const orgs: { id: string; tier: number; approved: boolean }[] = [{ id: primeId, tier: 0, approved: true }];
      const subs = sizes.organizations - 1;
      const t1 = Math.max(1, Math.round(subs * 0.18));
      const t2 = Math.max(1, Math.round(subs * 0.41));
      for (let i = 0; i < subs; i++) {
        const tier = i < t1 ? 1 : i < t1 + t2 ? 2 : 3;
        const parents = orgs.filter((o) => o.tier === tier - 1);
        const id = org(municipalityId);
        const approved = i !== subs - 1;
        insLink(
          prng.uuid(),
          e.id,
          id,
          parents[i % parents.length].id,
          tier,
          approved ? 'approved' : 'pending_approval',
          approved ? isoDate(anchor - 30 * DAY) : null,
          approved ? `府総第${100 + i}号` : null,
          approved ? staffId : null,
          now,
        );
        orgs.push({ id, tier, approved });
      }
      const workers: ReturnType<typeof worker>[] = [];
      for (let i = 0; i < n; i++) {
        const o = orgs[i % orgs.length];
        const holder = worker(o.id);
        const id = holder.id;
        workers.push(holder);
        insAssignment(e.id, id, staffId, iso(anchor - 60 * DAY));
        const r = prng.next();
        if (r < 0.7 && o.approved) {
          const expiring = prng.chance(0.02);
          const issuedAt = anchor - (expiring ? 705 + prng.int(15) : 5 + prng.int(395)) * DAY + prng.int(DAY);
          const mods = curriculum.map((moduleId, k) => {
            const at = k === curriculum.length - 1 ? issuedAt : issuedAt - prng.int(20) * DAY - prng.int(DAY);
            if (prng.chance(0.1)) sitting(id, e.id, moduleId, at - 3_600_000, false);
            sitting(id, e.id, moduleId, at, true);
            return { moduleId, revision: byId.get(moduleId)!.revision, completedAt: iso(at) };
          });
          if (prng.chance(0.1)) {
            const old = certificate(e, id, o.id, holder, issuedAt - 30 * DAY, issuedAt - 30 * DAY + 730 * DAY, mods, 'superseded');
            supersede.run(certificate(e, id, o.id, holder, issuedAt, issuedAt + 730 * DAY, mods, 'valid'), old);
          } else certificate(e, id, o.id, holder, issuedAt, issuedAt + 730 * DAY, mods, 'valid');
        } else if (r < 0.9) {
          const done = 1 + prng.int(curriculum.length - 1);
          for (let k = 0; k < done; k++) sitting(id, e.id, curriculum[k], anchor - (1 + prng.int(30)) * DAY, true);
          if (prng.chance(0.5)) sitting(id, e.id, curriculum[done], anchor - prng.int(DAY), false);
        }
      }
      return { id: e.id, workers };
    };

    const medium = tracking('一万人', sizes.workers);
    const large = tracking('十万人', sizes.workersLarge);

    // A finished engagement whose (expired, a few revoked) certificates fill the table up to `certificates`.
    const have = counts.certificates ?? 0;
    if (sizes.certificates > have) {
      const pastPrime = org(municipalityId);
      const past = engagement('旧 住民情報システム運用保守業務', pastPrime, anchor - 800 * DAY, anchor - 400 * DAY, 365);
      const holders = large.workers;
      for (let i = 0; i < sizes.certificates - have; i++) {
        const h = holders[i % holders.length];
        const issuedAt = anchor - (760 + prng.int(30)) * DAY;
        const mods = curriculum.map((moduleId) => ({ moduleId, revision: 1, completedAt: iso(issuedAt - prng.int(10) * DAY) }));
        certificate(past, h.id, h.orgId, h, issuedAt, issuedAt + 365 * DAY, mods, prng.chance(0.02) ? 'revoked' : 'valid');
      }
    }

    // The quiz: one engagement, its prime's workers signed in; one half sits against the app, the other against the baseline.
    const quizPrime = org(municipalityId);
    const quiz = engagement('窓口業務委託（研修負荷試験）', quizPrime, anchor + 30 * DAY, anchor + 395 * DAY, 365);
    const quizTokens: string[] = [];
    for (let i = 0; i < 2 * sizes.quizWorkers; i++) {
      const { id } = worker(quizPrime);
      insAssignment(quiz.id, id, staffId, now);
      quizTokens.push(session(user('worker', `受講者 ${i}`, { organizationId: quizPrime, workerId: id })));
    }

    // CSV imports: each run imports into a fresh, empty organization with its own manager.
    const importer = () => {
      const orgId = org(municipalityId);
      return { orgId, token: session(user('org_manager', '取込担当', { organizationId: orgId })) };
    };
    const csv = { app: Array.from({ length: sizes.csvRuns + 1 }, importer), baseline: Array.from({ length: sizes.csvRuns + 1 }, importer) };

    for (const l of lists) {
      let bits = emptyBits(STATUS_LIST_SIZE);
      for (const i of l.revoked) bits = setBit(bits, i, true);
      insStatusList(l.id, 'revocation', STATUS_LIST_SIZE, bits, l.used.size, now);
    }

    return {
      staffToken,
      medium: { id: medium.id, workers: medium.workers.length },
      large: { id: large.id, workers: large.workers.length },
      quiz: {
        engagementId: quiz.id,
        // Never the last module, so a sitting passes without completing the curriculum: the steady state of a training day.
        moduleIds: curriculum.slice(0, -1),
        app: quizTokens.slice(0, sizes.quizWorkers),
        baseline: quizTokens.slice(sizes.quizWorkers),
      },
      csv,
    };
  });

  const r = write();
  const problems = db.pragma('foreign_key_check') as unknown[];
  if (problems.length) throw new Error(`seeded data breaks ${problems.length} foreign keys`);
  db.pragma('journal_mode = WAL');
  db.close();

  return {
    seed,
    sizes: sizes.name,
    anchor: iso(anchor),
    counts,
    signingKeyPem: privateKeyToPem(key),
    dataEncryptionKey: dataKeyOf(seed).toString('base64'),
    staffToken: r.staffToken,
    curriculum,
    tracking: r.medium,
    trackingLarge: r.large,
    serials: new Prng(seed ^ 0x5eed).shuffle([...serials]),
    quiz: r.quiz,
    csv: r.csv,
  };
}

/** The CSV a manager exports from Excel: BOM, header, `rows` workers with Japanese names. */
export function generateCsv(rows: number, seed: number, domain: string): Buffer {
  const prng = new Prng(seed);
  const lines = ['name,email,employeeNumber'];
  for (let i = 0; i < rows; i++)
    lines.push(`${prng.pick(FAMILY)}\u3000${prng.pick(GIVEN)},staff${i}.${prng.int(1e6)}@${domain},S${String(i).padStart(6, '0')}`);
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}
