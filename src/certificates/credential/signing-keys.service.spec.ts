import { Logger } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { ENTITIES } from '../../database/entities';
import { MIGRATIONS } from '../../database/migrations';
import { TransactionService } from '../../database/transaction.service';
import { SigningKey } from '../signing-key.entity';
import { decodeJws, verifyCompactJws } from './jws';
import { jwkThumbprint, keyFilePath, keyUrl, privateKeyToPem, publicKeyFromJwk, SigningKeyError, thumbprintOf } from './keys';
import { SigningKeysService } from './signing-keys.service';

const BASE = 'https://lms.example.jp';

/** jose (a JOSE library we did not write) verifies with the published JWKS, choosing the key by kid. */
async function joseVerifies(jws: string, jwks: object): Promise<boolean> {
  const { compactVerify, createLocalJWKSet } = await import('jose');
  return compactVerify(jws, createLocalJWKSet(jwks as never), { algorithms: ['EdDSA', 'ES256'] }).then(
    () => true,
    () => false,
  );
}

describe('RFC 7638 thumbprint', () => {
  it('matches the RFC 8037 Ed25519 example', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } as const;
    expect(jwkThumbprint(jwk)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('matches jose’s for a P-256 key', async () => {
    const { calculateJwkThumbprint, exportJWK } = await import('jose');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(thumbprintOf(publicKey)).toBe(await calculateJwkThumbprint(await exportJWK(publicKey)));
  });
});

describe('SigningKeysService', () => {
  let dir: string;
  let dataSource: DataSource;
  let tx: TransactionService;
  const mode = (path: string) => statSync(path).mode & 0o777;
  const start = async (extra: Partial<AppConfig> = {}) => {
    const service = new SigningKeysService(dataSource, { dataDir: join(dir, 'data'), publicBaseUrl: BASE, ...extra } as AppConfig, tx);
    await service.onModuleInit();
    return service;
  };
  const pem = (type: 'ed25519' | 'p256') =>
    privateKeyToPem(
      type === 'ed25519' ? generateKeyPairSync('ed25519').privateKey : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    );

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'article4-keys-'));
    dataSource = new DataSource({
      type: 'better-sqlite3',
      database: join(dir, 'test.sqlite'),
      entities: ENTITIES,
      migrations: MIGRATIONS,
      migrationsRun: true,
    });
    await dataSource.initialize();
    tx = { run: (fn) => dataSource.transaction(fn) } as TransactionService;
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates an Ed25519 and a P-256 key on first start: files 0600 in a 0700 folder, public JWKs in the table', async () => {
    const service = await start();
    const ed = service.current('EdDSA');
    const ec = service.current('ES256');
    expect(ed.kid).toBe(thumbprintOf(ed.privateKey));
    expect(ed.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(ec.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    for (const kid of [ed.kid, ec.kid]) expect(mode(keyFilePath(join(dir, 'data'), kid))).toBe(0o600);
    expect(mode(join(dir, 'data', 'keys'))).toBe(0o700);
    expect(readdirSync(join(dir, 'data', 'keys')).sort()).toEqual([`signing-${ed.kid}.pem`, `signing-${ec.kid}.pem`].sort());

    const rows = await dataSource.getRepository(SigningKey).find();
    expect(rows).toHaveLength(2);
    const edRow = rows.find((r) => r.kid === ed.kid)!;
    const ecRow = rows.find((r) => r.kid === ec.kid)!;
    expect(Object.keys(edRow.publicJwk).sort()).toEqual(['crv', 'kty', 'x']);
    expect(Object.keys(ecRow.publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    const jwks = await service.jwks();
    expect(jwks.keys).toEqual(
      expect.arrayContaining([
        { kty: 'OKP', crv: 'Ed25519', x: edRow.publicJwk.x, kid: keyUrl(BASE, ed.kid), use: 'sig', alg: 'EdDSA' },
        { ...ecRow.publicJwk, kid: keyUrl(BASE, ec.kid), use: 'sig', alg: 'ES256' },
      ]),
    );
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    expect(await service.jwk(ec.kid)).toEqual({ ...ecRow.publicJwk, kid: keyUrl(BASE, ec.kid), use: 'sig', alg: 'ES256' });
    expect(await service.jwk('nope')).toBeNull();
  });

  it('reuses the keys on the next start', async () => {
    const first = await start();
    const second = await start();
    expect(second.current('EdDSA').kid).toBe(first.current('EdDSA').kid);
    expect(second.current('ES256').kid).toBe(first.current('ES256').kid);
    expect(readdirSync(join(dir, 'data', 'keys'))).toHaveLength(2);
    expect(await dataSource.getRepository(SigningKey).count()).toBe(2);
  });

  it('signs vc+jwt with EdDSA and the JWT form with ES256, the kid the key URL; jose verifies both with the JWKS', async () => {
    const service = await start();
    const vc = service.signCredential({ type: ['VerifiableCredential'] });
    expect(decodeJws(vc).header).toEqual({ alg: 'EdDSA', kid: keyUrl(BASE, service.current('EdDSA').kid), typ: 'vc+jwt' });
    const jwt = service.signJwt({ iss: BASE });
    expect(decodeJws(jwt).header).toEqual({ alg: 'ES256', kid: keyUrl(BASE, service.current('ES256').kid), typ: 'JWT' });
    const jwks = await service.jwks();
    expect(await joseVerifies(vc, jwks)).toBe(true);
    expect(await joseVerifies(jwt, jwks)).toBe(true);
  });

  it('rotates both keys: the new ones sign, the old ones are retired and still published, the next start keeps the new ones', async () => {
    const service = await start();
    const old = { ed: service.current('EdDSA').kid, ec: service.current('ES256').kid };
    const oldVc = service.signCredential({ n: 1 });
    const oldJwt = service.signJwt({ n: 1 });

    const created = await service.rotate();
    expect(created).toHaveLength(2);
    const now = { ed: service.current('EdDSA').kid, ec: service.current('ES256').kid };
    expect(created.sort()).toEqual([now.ed, now.ec].sort());
    expect(now.ed).not.toBe(old.ed);
    expect(now.ec).not.toBe(old.ec);
    const newVc = service.signCredential({ n: 2 });
    expect(decodeJws(newVc).header.kid).toBe(keyUrl(BASE, now.ed));
    expect(mode(keyFilePath(join(dir, 'data'), now.ec))).toBe(0o600);

    const jwks = await service.jwks();
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([old.ed, old.ec, now.ed, now.ec].map((k) => keyUrl(BASE, k)).sort());
    for (const jws of [oldVc, oldJwt, newVc, service.signJwt({ n: 2 })]) expect(await joseVerifies(jws, jwks)).toBe(true);
    expect(verifyCompactJws(newVc, (await service.publicKey(now.ed))!).payload).toEqual({ n: 2 });

    const rows = await dataSource.getRepository(SigningKey).find();
    for (const kid of [old.ed, old.ec]) expect(rows.find((r) => r.kid === kid)?.retiredAt).toBeInstanceOf(Date);
    for (const kid of [now.ed, now.ec]) expect(rows.find((r) => r.kid === kid)?.retiredAt).toBeNull();

    const restarted = await start();
    expect(restarted.current('EdDSA').kid).toBe(now.ed);
    expect(restarted.current('ES256').kid).toBe(now.ec);
  });

  it('takes the keys from SIGNING_KEY_PEM and SIGNING_KEY_ES256_PEM when configured: no file, published, not rotatable', async () => {
    const settings = { signingKeyPem: pem('ed25519'), signingKeyEs256Pem: pem('p256') };
    const service = await start(settings);
    expect(existsSync(join(dir, 'data', 'keys'))).toBe(false);
    const jwks = await service.jwks();
    expect(jwks.keys).toHaveLength(2);
    const ed = jwks.keys.find((k) => k.alg === 'EdDSA')!;
    expect(ed.kid).toBe(keyUrl(BASE, service.current('EdDSA').kid));
    expect(verifyCompactJws(service.signCredential({ a: 1 }), publicKeyFromJwk(ed)).payload).toEqual({ a: 1 });
    await expect(service.rotate()).rejects.toThrow(SigningKeyError);
    // A second instance with the same keys changes nothing.
    await start(settings);
    expect(await dataSource.getRepository(SigningKey).count()).toBe(2);
  });

  it('with only the Ed25519 key configured, rotation renews the P-256 key file and leaves the configured key', async () => {
    const service = await start({ signingKeyPem: pem('ed25519') });
    const ed = service.current('EdDSA').kid;
    const [created] = await service.rotate();
    expect(created).toBe(service.current('ES256').kid);
    expect(service.current('EdDSA').kid).toBe(ed);
  });

  it('switching from a file key to SIGNING_KEY_PEM keeps the old key published, retired', async () => {
    const fileKid = (await start()).current('EdDSA').kid;
    const configured = pem('ed25519');
    const service = await start({ signingKeyPem: configured });
    const rows = await dataSource.getRepository(SigningKey).find();
    expect(rows.map((r) => r.kid)).toEqual(expect.arrayContaining([fileKid, service.current('EdDSA').kid]));
    expect(rows.find((r) => r.kid === fileKid)?.retiredAt).toBeInstanceOf(Date);
    // The P-256 key is another kind: not retired by the Ed25519 switch.
    expect(rows.find((r) => r.kid === service.current('ES256').kid)?.retiredAt).toBeNull();
  });

  it('refuses a bad SIGNING_KEY_PEM without echoing it, and a key of the wrong kind for either setting', async () => {
    const secret = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldA==\n-----END PRIVATE KEY-----\n';
    const error = await start({ signingKeyPem: secret }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(SigningKeyError);
    expect((error as Error).message).toContain('SIGNING_KEY_PEM');
    expect((error as Error).message).not.toContain('c2VjcmV0');
    await expect(start({ signingKeyPem: pem('p256') })).rejects.toThrow('not an Ed25519 key');
    await expect(start({ signingKeyEs256Pem: pem('ed25519') })).rejects.toThrow('SIGNING_KEY_ES256_PEM is not a P-256 key');
  });

  it('refuses to start on a key file that does not hold the key its name says', async () => {
    const kid = (await start()).current('EdDSA').kid;
    const other = generateKeyPairSync('ed25519').privateKey;
    writeFileSync(keyFilePath(join(dir, 'data'), kid), privateKeyToPem(other), { mode: 0o600 });
    await expect(start()).rejects.toThrow(SigningKeyError);
  });

  it('current() before start is an error', () => {
    const service = new SigningKeysService(dataSource, { dataDir: dir } as AppConfig, tx);
    expect(() => service.current()).toThrow(SigningKeyError);
  });
});
