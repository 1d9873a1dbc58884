import { createHash } from 'node:crypto';
import { buildOpenBadgeCredential, CERTIFICATE_NAME, identityHash, OpenBadgeInput } from './open-badge';

const input: OpenBadgeInput = {
  baseUrl: 'https://lms.example.jp',
  serial: 'ABCD-EFGH-JKMN-P',
  validFrom: new Date('2026-11-25T00:00:00Z'),
  validUntil: new Date('2027-11-25T00:00:00Z'),
  municipality: { name: '府中町', code: '343021' },
  engagement: { id: 'e1e1e1e1-0000-4000-8000-000000000001', title: '住民情報システム運用保守業務' },
  holder: { email: 'Hanako.Yamada@Example.co.jp', displayName: '山田 花子', salt: '00112233445566778899aabbccddeeff' },
  modules: [
    { moduleId: 'data-handling', revision: 2 },
    { moduleId: 'personal-info', revision: 1 },
  ],
  status: { listUrl: 'https://lms.example.jp/api/v1/status-lists/5f0c', index: 4242 },
};

describe('buildOpenBadgeCredential', () => {
  const vc = buildOpenBadgeCredential(input);

  it('is a VC 2.0 OpenBadgeCredential', () => {
    expect(vc['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
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

  it('describes the engagement training and lists the modules with revisions', () => {
    const a = vc.credentialSubject.achievement;
    expect(a.id).toBe('https://lms.example.jp/engagements/e1e1e1e1-0000-4000-8000-000000000001#article4-training');
    expect(a.type).toEqual(['Achievement']);
    expect(a.achievementType).toBe('Certificate');
    expect(a.name).toContain('住民情報システム運用保守業務');
    expect(a.description).toContain('府中町');
    expect(a.criteria.narrative).toContain('data-handling（第2版）');
    expect(a.modules).toEqual([
      { moduleId: 'data-handling', revision: 2 },
      { moduleId: 'personal-info', revision: 1 },
    ]);
  });

  it('points at the revocation bit', () => {
    expect(vc.credentialStatus).toEqual({
      id: 'https://lms.example.jp/api/v1/status-lists/5f0c#4242',
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '4242',
      statusListCredential: 'https://lms.example.jp/api/v1/status-lists/5f0c',
    });
  });

  it('identifies the holder by a salted hash that the holder can reproduce, and the display name', () => {
    const s = vc.credentialSubject;
    expect(s.type).toEqual(['AchievementSubject']);
    expect(s.name).toBe('山田 花子');
    const expected = createHash('sha256')
      .update('hanako.yamada@example.co.jp' + input.holder.salt)
      .digest('hex');
    expect(s.identifier).toEqual([
      {
        type: 'IdentityObject',
        identityHash: `sha256$${expected}`,
        identityType: 'emailAddress',
        hashed: true,
        salt: input.holder.salt,
      },
    ]);
    expect(identityHash(' HANAKO.yamada@example.co.jp', input.holder.salt!)).toBe(`sha256$${expected}`);
  });

  it('never contains the e-mail address, whatever its case', () => {
    for (const v of [vc, buildOpenBadgeCredential({ ...input, holder: { email: input.holder.email } })]) {
      const json = JSON.stringify(v).toLowerCase();
      expect(json).not.toContain('hanako.yamada');
      expect(json).not.toContain('example.co.jp');
      expect(json.replace('"@context"', '')).not.toContain('@');
    }
  });

  it('draws a fresh salt when none is given, so two credentials do not link the holder', () => {
    const one = buildOpenBadgeCredential({ ...input, holder: { email: input.holder.email } });
    const two = buildOpenBadgeCredential({ ...input, holder: { email: input.holder.email } });
    expect(one.credentialSubject.identifier[0].salt).toMatch(/^[0-9a-f]{32}$/);
    expect(one.credentialSubject.identifier[0].identityHash).not.toBe(two.credentialSubject.identifier[0].identityHash);
    expect(one.credentialSubject).not.toHaveProperty('name');
  });

  it('rejects an empty validity period and a bad index', () => {
    expect(() => buildOpenBadgeCredential({ ...input, validUntil: input.validFrom })).toThrow();
    expect(() => buildOpenBadgeCredential({ ...input, status: { ...input.status, index: -1 } })).toThrow();
  });
});
