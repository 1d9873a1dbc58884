import { createHash } from 'node:crypto';
import {
  article4Context,
  buildOpenBadgeCredential,
  CERTIFICATE_NAME,
  identityHash,
  maskName,
  OpenBadgeInput,
  openBadgeJwtClaims,
  vcJosePayload,
} from './open-badge';

const input: OpenBadgeInput = {
  baseUrl: 'https://lms.example.jp',
  serial: 'ABCD-EFGH-JKMN-P',
  subjectId: 'urn:uuid:0b6f1c2e-0000-4000-8000-000000000001',
  validFrom: new Date('2026-11-25T00:00:00Z'),
  validUntil: new Date('2027-11-25T00:00:00Z'),
  municipality: { name: '府中町', code: '343021' },
  engagement: { id: 'e1e1e1e1-0000-4000-8000-000000000001', title: '住民情報システム運用保守業務' },
  holder: { email: 'Hanako.Yamada@Example.co.jp', name: '山田 花子', salt: '00112233445566778899aabbccddeeff' },
  modules: [
    { moduleId: 'data-handling', revision: 2, title: { ja: '情報の取扱い', en: 'Handling information' } },
    { moduleId: 'personal-info', revision: 1 },
  ],
  status: { listUrl: 'https://lms.example.jp/api/v1/status-lists/5f0c', index: 4242 },
  form: 'holder',
};

describe('buildOpenBadgeCredential', () => {
  const vc = buildOpenBadgeCredential(input);

  it('is a VC 2.0 OpenBadgeCredential with the VC, OB 3.0 and this service’s contexts', () => {
    expect(vc['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://lms.example.jp/contexts/article4-v1.jsonld',
    ]);
    expect(vc.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(vc.id).toBe('https://lms.example.jp/certificates/ABCD-EFGH-JKMN-P');
    expect(vc.name).toBe(CERTIFICATE_NAME);
    expect(vc.validFrom).toBe('2026-11-25T00:00:00Z');
    expect(vc.validUntil).toBe('2027-11-25T00:00:00Z');
  });

  it('names the municipality and the service as issuer', () => {
    expect(vc.issuer).toEqual({
      id: 'https://lms.example.jp',
      type: ['Profile'],
      name: '府中町 / article4-lms',
      otherIdentifier: [{ type: 'IdentifierEntry', identifier: '343021', identifierType: 'identifier' }],
    });
    const noCode = buildOpenBadgeCredential({ ...input, municipality: { name: '府中町' } });
    expect(noCode.issuer).not.toHaveProperty('otherIdentifier');
  });

  it('describes the engagement training, each module as an OB ResultDescription and Result with its revision', () => {
    const a = vc.credentialSubject.achievement;
    expect(a.id).toBe('https://lms.example.jp/engagements/e1e1e1e1-0000-4000-8000-000000000001#article4-training');
    expect(a.type).toEqual(['Achievement']);
    expect(a.achievementType).toBe('Certificate');
    expect(a.name).toContain('住民情報システム運用保守業務');
    expect(a.description).toContain('府中町');
    expect(a.criteria.narrative).toContain('data-handling（第2版）');
    expect(a.resultDescription).toEqual([
      {
        id: 'https://lms.example.jp/api/v1/modules/data-handling',
        type: ['ResultDescription'],
        name: '情報の取扱い / Handling information',
        resultType: 'Status',
        requiredValue: 'Completed',
      },
      {
        id: 'https://lms.example.jp/api/v1/modules/personal-info',
        type: ['ResultDescription'],
        name: 'personal-info',
        resultType: 'Status',
        requiredValue: 'Completed',
      },
    ]);
    expect(vc.credentialSubject.result).toEqual([
      {
        type: ['Result'],
        resultDescription: 'https://lms.example.jp/api/v1/modules/data-handling',
        status: 'Completed',
        moduleId: 'data-handling',
        moduleRevision: 2,
      },
      {
        type: ['Result'],
        resultDescription: 'https://lms.example.jp/api/v1/modules/personal-info',
        status: 'Completed',
        moduleId: 'personal-info',
        moduleRevision: 1,
      },
    ]);
    expect(article4Context(input.baseUrl)['@context']).toMatchObject({
      moduleId: { '@id': 'https://lms.example.jp/contexts/article4-v1#moduleId' },
      moduleRevision: { '@id': 'https://lms.example.jp/contexts/article4-v1#moduleRevision' },
    });
  });

  it('points at the status bit', () => {
    expect(vc.credentialStatus).toEqual({
      id: 'https://lms.example.jp/api/v1/status-lists/5f0c#4242',
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '4242',
      statusListCredential: 'https://lms.example.jp/api/v1/status-lists/5f0c',
    });
  });

  it('identifies the holder by an id, a salted hash the holder can reproduce, and the name', () => {
    const s = vc.credentialSubject;
    expect(s.id).toBe(input.subjectId);
    expect(s.type).toEqual(['AchievementSubject']);
    expect(s.name).toBe('山田 花子');
    const expected = createHash('sha256')
      .update('hanako.yamada@example.co.jp' + input.holder.salt)
      .digest('hex');
    expect(s.identifier).toEqual([
      { type: 'IdentityObject', identityHash: `sha256$${expected}`, identityType: 'emailAddress', hashed: true, salt: input.holder.salt },
    ]);
    expect(identityHash(' HANAKO.yamada@example.co.jp', input.holder.salt)).toBe(`sha256$${expected}`);
  });

  it('the public form has the masked name and no e-mail identity; nothing else differs', () => {
    const pub = buildOpenBadgeCredential({ ...input, form: 'public' });
    expect(pub.credentialSubject.name).toBe('山田 *');
    expect(JSON.stringify(pub)).not.toContain('花子');
    // No salted hash of the address: with the masked name and the mail domain it would confirm a guessed address.
    expect(pub.credentialSubject).not.toHaveProperty('identifier');
    expect(JSON.stringify(pub)).not.toMatch(/identityHash|salt|00112233445566778899aabbccddeeff/);
    const { identifier, ...holderSubject } = vc.credentialSubject;
    expect(identifier).toHaveLength(1);
    expect({ ...pub, credentialSubject: { ...pub.credentialSubject, name: '' } }).toEqual({
      ...vc,
      credentialSubject: { ...holderSubject, name: '' },
    });
  });

  it('never contains the e-mail address, whatever its case', () => {
    for (const form of ['public', 'holder'] as const) {
      const json = JSON.stringify(buildOpenBadgeCredential({ ...input, form })).toLowerCase();
      expect(json).not.toContain('hanako.yamada');
      expect(json).not.toContain('example.co.jp');
      expect(json.replace('"@context"', '')).not.toContain('@');
    }
  });

  it('rejects an empty validity period and a bad index', () => {
    expect(() => buildOpenBadgeCredential({ ...input, validUntil: input.validFrom })).toThrow();
    expect(() => buildOpenBadgeCredential({ ...input, status: { ...input.status, index: -1 } })).toThrow();
  });
});

describe('payloads', () => {
  const vc = buildOpenBadgeCredential(input);

  it('VC-JOSE: the credential plus iss = issuer.id', () => {
    expect(vcJosePayload(vc)).toEqual({ ...vc, iss: 'https://lms.example.jp' });
    expect(vcJosePayload({ issuer: 'https://x.example' }).iss).toBe('https://x.example');
  });

  it('Open Badges 3.0 §8.2 JWT: iss, jti, sub, nbf and exp from the credential', () => {
    const claims = openBadgeJwtClaims(vc);
    expect(claims).toMatchObject({
      iss: 'https://lms.example.jp',
      jti: 'https://lms.example.jp/certificates/ABCD-EFGH-JKMN-P',
      sub: input.subjectId,
      nbf: Date.parse('2026-11-25T00:00:00Z') / 1000,
      exp: Date.parse('2027-11-25T00:00:00Z') / 1000,
    });
    expect(claims.credentialSubject).toEqual(vc.credentialSubject);
  });
});

describe('maskName', () => {
  it.each([
    ['山田\u3000太郎', '山田 *'],
    [' Yamada  Hanako ', 'Yamada *'],
    ['李 明', '李 *'],
    ['ﾅｶﾆｼ ﾕｷ', 'ﾅｶﾆｼ *'],
    ['山田太郎', '山*'],
    ['山田', '山*'],
    ['José', 'J*'],
    // One character: nothing of it is shown (it showed `X*`, the whole name).
    ['X', '*'],
    ['李', '*'],
    ['𠮷', '*'],
    // One user-perceived character made of several code points: a kanji with its variation selector, e + combining acute.
    ['葛\u{e0100}', '*'],
    ['e\u0301', '*'],
    ['\u3000', '*'],
    ['', '*'],
  ])('%j → %j', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it('never shows a name whole', () => {
    for (const name of ['X', '李', '山田', '山田　太郎', 'Ann Lee', '葛\u{e0100}', 'e\u0301', 'ab']) {
      const shown = maskName(name).replace(/ ?\*$/, '');
      expect(shown).not.toBe(name.trim());
      expect(shown.length).toBeLessThan(name.trim().length);
    }
  });
});
