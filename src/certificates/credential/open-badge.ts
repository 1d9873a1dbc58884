import { createHash, randomBytes } from 'node:crypto';

/*
 * The certificate as a W3C VC 2.0 / Open Badges 3.0 `OpenBadgeCredential`.
 * What it shows is what a town needs to trust offline: who issued it (the
 * municipality and this service), for which engagement, which training
 * modules at which revisions, how long it is valid, where its revocation bit
 * is. The holder is identified by a salted hash of their e-mail address; the
 * address itself is never in the credential.
 *
 * Modules: OB 3.0 has no term for "module id + revision", so they go in
 * `achievement.modules` ([{ moduleId, revision }], an issuer-dependent term
 * under the VC 2.0 context's @vocab) and, for people, in the criteria
 * narrative. `moduleId`, not `id`: in JSON-LD `id` would be read as an IRI.
 */

export const OB_CONTEXT = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'] as const;

export const CERTIFICATE_NAME = '情報セキュリティ研修修了証（特記事項第4条）';

export interface OpenBadgeInput {
  /** Public base URL of the service, no trailing slash (`AppConfig.publicBaseUrl`). */
  baseUrl: string;
  serial: string;
  validFrom: Date;
  validUntil: Date;
  municipality: { name: string; /** 全国地方公共団体コード */ code?: string };
  engagement: { id: string; title: string };
  holder: {
    /** Hashed with the salt; never copied into the credential. */
    email: string;
    displayName?: string;
    /** Hex salt for the identity hash; a fresh random one when absent. */
    salt?: string;
  };
  /** The modules and revisions the certificate attests (Certificate.modules fits). */
  modules: readonly { moduleId: string; revision: number }[];
  /** Where the revocation bit is: the status list credential URL and the index in it. */
  status: { listUrl: string; index: number };
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

const isoInstant = (d: Date) => d.toISOString().replace(/\.000Z$/, 'Z');

/** The credential URL names the certificate; `serial` is taken as given (canonical form). */
export const credentialId = (baseUrl: string, serial: string) => `${baseUrl}/certificates/${serial}`;

export function buildOpenBadgeCredential(input: OpenBadgeInput) {
  const { baseUrl, municipality, engagement, holder } = input;
  if (!(input.validUntil > input.validFrom)) throw new Error('validUntil must be after validFrom');
  if (!Number.isInteger(input.status.index) || input.status.index < 0) throw new Error('status index must be a non-negative integer');
  const salt = holder.salt ?? newIdentitySalt();
  const modules = input.modules.map((m) => ({ moduleId: m.moduleId, revision: m.revision }));
  const moduleList = modules.map((m) => `${m.moduleId}（第${m.revision}版）`).join('、');

  return {
    '@context': [...OB_CONTEXT],
    id: credentialId(baseUrl, input.serial),
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: CERTIFICATE_NAME,
    issuer: {
      id: baseUrl,
      type: ['Profile'],
      name: `${municipality.name} / article4-lms`,
      ...(municipality.code
        ? {
            otherIdentifier: [{ type: 'IdentifierEntry', identifier: municipality.code, identifierType: 'identifier' }],
          }
        : {}),
    },
    validFrom: isoInstant(input.validFrom),
    validUntil: isoInstant(input.validUntil),
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [
        {
          type: 'IdentityObject',
          identityHash: identityHash(holder.email, salt),
          identityType: 'emailAddress',
          hashed: true,
          salt,
        },
      ],
      ...(holder.displayName ? { name: holder.displayName } : {}),
      achievement: {
        id: `${baseUrl}/engagements/${engagement.id}#article4-training`,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: `${engagement.title} 従事者情報セキュリティ研修（特記事項第4条）`,
        description:
          `${municipality.name}の委託業務「${engagement.title}」に付された情報セキュリティに関する特記事項` +
          '第4条（従事者への教育）に基づく研修を修了したことを証明する。',
        criteria: {
          narrative: `次の研修モジュールすべての確認テストに合格すること（モジュールID・版）: ${moduleList}。`,
        },
        modules,
      },
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
