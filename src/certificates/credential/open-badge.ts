import { createHash, randomBytes } from 'node:crypto';
import { t } from '../../common/i18n/words';

/*
 * The certificate as a W3C VC 2.0 / Open Badges 3.0 `OpenBadgeCredential`.
 * What it shows is what a town needs to trust offline: who issued it (the
 * municipality and this service), for which engagement, which training
 * modules at which revisions, how long it is valid, where its status bit is.
 *
 * Every term expands in JSON-LD safe mode: OB 3.0's own terms where they fit
 * (the achievement, one `ResultDescription` per module on it, one `Result`
 * per module on the subject, `IdentityObject`, `IdentifierEntry`), and this
 * service's small context (`article4Context`) for the two facts OB 3.0 has no
 * term for: the module id and the content revision passed.
 *
 * Two forms of each certificate (docs/certificates.md, "Two forms"):
 * - `public`: what anyone holding the serial may learn, no more than /verify
 *   shows: the holder is the certificate's own subject id (`urn:uuid:…`) and
 *   a masked name (`山田 *`). No e-mail identity: with the masked name and the
 *   company's mail domain, a salted hash of the address lets anyone confirm a
 *   guessed address offline (issue 13), so the public form carries none;
 * - `holder`: the holder's full name and an OB `IdentityObject` with the
 *   salted hash of the e-mail address, for the holder's wallet (the holder
 *   proves the address with it) and for those who may see the holder.
 * The e-mail address itself is in neither.
 */

export const VC_CONTEXT_URL = 'https://www.w3.org/ns/credentials/v2';
export const OB_CONTEXT_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

/** Where this service publishes its own JSON-LD context (served by ContextsController). */
export const article4ContextUrl = (baseUrl: string) => `${baseUrl}/contexts/article4-v1.jsonld`;

/**
 * This service's JSON-LD context: the terms Open Badges 3.0 lacks, under a
 * vocabulary at the context's own address. Protected, like the VC and OB
 * contexts, so no later context can redefine them.
 */
export function article4Context(baseUrl: string) {
  const vocab = `${baseUrl}/contexts/article4-v1#`;
  return {
    '@context': {
      '@protected': true,
      moduleId: { '@id': `${vocab}moduleId` },
      moduleRevision: { '@id': `${vocab}moduleRevision`, '@type': 'http://www.w3.org/2001/XMLSchema#integer' },
    },
  };
}

/**
 * A credential is signed once, in Japanese (the language of the contract it
 * attests): its words come from locales/ja.json (`credential.*`) at signing time.
 */
const CREDENTIAL_LANG = 'ja';

export const CERTIFICATE_NAME = t(CREDENTIAL_LANG, 'credential.name');

export type CredentialForm = 'public' | 'holder';

export interface OpenBadgeInput {
  /** Public base URL of the service, no trailing slash (`AppConfig.publicBaseUrl`). */
  baseUrl: string;
  serial: string;
  /** `credentialSubject.id`, a URI that names the holder of this certificate only (e.g. `urn:uuid:…`); the JWT form's `sub`. */
  subjectId: string;
  validFrom: Date;
  validUntil: Date;
  municipality: { name: string; /** 全国地方公共団体コード */ code?: string };
  engagement: { id: string; title: string };
  holder: {
    /** Hashed with the salt into the holder's form only; never copied into the credential. */
    email: string;
    /** The full name; the public form carries it masked (`maskName`). */
    name: string;
    /** Hex salt for the identity hash (the holder's form). */
    salt: string;
    /** The masked name kept at issuance; `maskName(name)` when absent. */
    maskedName?: string;
  };
  /** The modules and revisions the certificate attests, with their titles (the module id when unknown). */
  modules: readonly { moduleId: string; revision: number; title?: { ja: string; en: string } }[];
  /** Where the status bit is: the status list credential URL and the index in it. */
  status: { listUrl: string; index: number };
  form: CredentialForm;
}

const graphemes = new Intl.Segmenter('ja', { granularity: 'grapheme' });

/**
 * The holder's name as anyone holding the serial sees it (/verify, the public
 * facts and credential): enough for the person holding the card to recognise
 * it, never the whole name. The one masking function; its rule:
 * - several parts (split at white space, the ideographic space too): the
 *   first part and ` *` — `山田\u3000太郎` (an ideographic space) → `山田 *`, `Yamada Hanako` → `Yamada *`;
 * - one part of two or more characters: its first character and `*` —
 *   `山田太郎` → `山*`, `山田` → `山*`;
 * - one character, or nothing: `*` alone — `X` → `*`, as `X*` showed the whole name.
 * Characters are user-perceived ones (grapheme clusters, UAX #29), so a kanji
 * with its variation selector (葛󠄀) or a letter with a combining accent counts
 * as one and is never shown whole either.
 */
export function maskName(name: string): string {
  const [family, ...rest] = name.trim().split(/\s+/);
  if (rest.length) return `${family} *`;
  const chars = [...graphemes.segment(family)].map((g) => g.segment);
  return chars.length >= 2 ? `${chars[0]}*` : '*';
}

/** `sha256$<hex>` of the lower-cased, trimmed address followed by the salt, as OB 3.0's IdentityObject hashes it. */
export function identityHash(email: string, salt: string): string {
  return (
    'sha256$' +
    createHash('sha256')
      .update(email.trim().toLowerCase() + salt, 'utf8')
      .digest('hex')
  );
}

export const newIdentitySalt = () => randomBytes(16).toString('hex');

/** The OB 3.0 `IdentityObject` of an e-mail address: its salted hash, never the address. */
export function identityObject(email: string, salt: string) {
  return { type: 'IdentityObject', identityHash: identityHash(email, salt), identityType: 'emailAddress', hashed: true, salt };
}

/** ISO-8601 UTC without milliseconds when they are zero (issuance truncates to whole seconds, so `nbf`/`exp` equal them). */
export const isoInstant = (d: Date) => d.toISOString().replace(/\.000Z$/, 'Z');

/** The credential URL names the certificate; `serial` is taken as given (canonical form). */
export const credentialId = (baseUrl: string, serial: string) => `${baseUrl}/certificates/${serial}`;

/** The IRI of a training module, as the credential's ResultDescription names it. */
export const moduleIri = (baseUrl: string, moduleId: string) => `${baseUrl}/api/v1/modules/${moduleId}`;

export function buildOpenBadgeCredential(input: OpenBadgeInput) {
  const { baseUrl, municipality, engagement, holder } = input;
  if (!(input.validUntil > input.validFrom)) throw new Error('validUntil must be after validFrom');
  if (!Number.isInteger(input.status.index) || input.status.index < 0) throw new Error('status index must be a non-negative integer');
  const moduleList = input.modules
    .map((m) => t(CREDENTIAL_LANG, 'credential.module', { id: m.moduleId, revision: m.revision }))
    .join(t(CREDENTIAL_LANG, 'credential.moduleSeparator'));
  const achievementId = `${baseUrl}/engagements/${engagement.id}#article4-training`;

  return {
    '@context': [VC_CONTEXT_URL, OB_CONTEXT_URL, article4ContextUrl(baseUrl)],
    id: credentialId(baseUrl, input.serial),
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: CERTIFICATE_NAME,
    issuer: {
      id: baseUrl,
      type: ['Profile'],
      name: `${municipality.name} / article4-lms`,
      ...(municipality.code
        ? { otherIdentifier: [{ type: 'IdentifierEntry', identifier: municipality.code, identifierType: 'identifier' }] }
        : {}),
    },
    validFrom: isoInstant(input.validFrom),
    validUntil: isoInstant(input.validUntil),
    credentialSubject: {
      id: input.subjectId,
      type: ['AchievementSubject'],
      name: input.form === 'holder' ? holder.name : (holder.maskedName ?? maskName(holder.name)),
      // OB 3.0 AchievementSubject: `id` or at least one `identifier`; the public form has the id alone.
      ...(input.form === 'holder' ? { identifier: [identityObject(holder.email, holder.salt)] } : {}),
      achievement: {
        id: achievementId,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: t(CREDENTIAL_LANG, 'credential.achievementName', { engagement: engagement.title }),
        description: t(CREDENTIAL_LANG, 'credential.description', { municipality: municipality.name, engagement: engagement.title }),
        criteria: { narrative: t(CREDENTIAL_LANG, 'credential.criteria', { modules: moduleList }) },
        resultDescription: input.modules.map((m) => ({
          id: moduleIri(baseUrl, m.moduleId),
          type: ['ResultDescription'],
          name: m.title ? `${m.title.ja} / ${m.title.en}` : m.moduleId,
          resultType: 'Status',
          requiredValue: 'Completed',
        })),
      },
      result: input.modules.map((m) => ({
        type: ['Result'],
        resultDescription: moduleIri(baseUrl, m.moduleId),
        status: 'Completed',
        moduleId: m.moduleId,
        moduleRevision: m.revision,
      })),
    },
    credentialStatus: {
      id: `${input.status.listUrl}#${input.status.index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(input.status.index),
      statusListCredential: input.status.listUrl,
    },
  };
}

export type OpenBadgeCredential = ReturnType<typeof buildOpenBadgeCredential>;

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The VC-JOSE payload (a certificate or a status list): the credential itself, plus `iss` (= `issuer.id`,
 * VC-JOSE-COSE: when present it must match the issuer), so a verifier knows
 * the issuer before reading the credential.
 */
export function vcJosePayload<T extends { issuer: string | { id: string } }>(vc: T): T & { iss: string } {
  return { ...vc, iss: typeof vc.issuer === 'string' ? vc.issuer : vc.issuer.id };
}

/**
 * The Open Badges 3.0 §8.2 JWT payload: the credential with the registered
 * claims `iss` (issuer.id), `jti` (id), `sub` (credentialSubject.id), `nbf`
 * (validFrom) and `exp` (validUntil), as NumericDate seconds.
 */
export function openBadgeJwtClaims(vc: OpenBadgeCredential) {
  return {
    ...vc,
    iss: vc.issuer.id,
    jti: vc.id,
    sub: vc.credentialSubject.id,
    nbf: seconds(vc.validFrom),
    exp: seconds(vc.validUntil),
  };
}
