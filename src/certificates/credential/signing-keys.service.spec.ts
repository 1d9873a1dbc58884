import { Logger } from '@nestjs/common';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { ENTITIES } from '../../database/entities';
import { MIGRATIONS } from '../../database/migrations';
import { TransactionService } from '../../database/transaction.service';
import { SigningKey } from '../signing-key.entity';
import { decodeJws, verifyCompactJws } from './jws';
import { jwkThumbprint, keyFilePath, kidOf, privateKeyToPem, publicKeyFromJwk, SigningKeyError } from './keys';
import { SigningKeysService } from './signing-keys.service';

/** jose is ESM-only; Jest runs CommonJS, so jose verifies in a child process. */
function joseVerifies(jws: string, jwks: object): boolean {
  const code = `
    import { compactVerify, createLocalJWKSet } from 'jose';
    import { readFileSync } from 'node:fs';
    const { jws, jwks } = JSON.parse(readFileSync(0, 'utf8'));
    const ok = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] }).then(() => true, () => false);
    process.stdout.write(String(ok));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: resolve(__dirname, '../../..'),
    input: JSON.stringify({ jws, jwks }),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout === 'true';
}

describe('RFC 7638 thumbprint', () => {
  it('matches the RFC 8037 Ed25519 example', () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' } as const;
    expect(jwkThumbprint(jwk)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });
});

describe('SigningKeysService', () => {
  let dir: string;
  let dataSource: DataSource;
  let tx: TransactionService;
  const mode = (path: string) => statSync(path).mode & 0o777;
  const start = async (extra: Partial<AppConfig> & { signingKeyPem?: string } = {}) => {
    const service = new SigningKeysService(dataSource, { dataDir: join(dir, 'data'), ...extra } as AppConfig, tx);
    await service.onModuleInit();
    return service;
  };

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

  it('creates a key on first start: file 0600 in a 0700 folder, public JWK in the table', async () => {
    const service = await start();
    const { kid, privateKey } = service.current();
    expect(kid).toBe(kidOf(privateKey));
    const file = keyFilePath(join(dir, 'data'), kid);
    expect(mode(file)).toBe(0o600);
    expect(mode(join(dir, 'data', 'keys'))).toBe(0o700);
    expect(readdirSync(join(dir, 'data', 'keys'))).toEqual([`signing-${kid}.pem`]);

    const rows = await dataSource.getRepository(SigningKey).find();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kid, retiredAt: null });
    expect(Object.keys(rows[0].publicJwk).sort()).toEqual(['crv', 'kty', 'x']);
    expect(await service.jwks()).toEqual({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: rows[0].publicJwk.x, kid, use: 'sig', alg: 'EdDSA' }],
    });
  });

  it('reuses the key on the next start', async () => {
    const first = (await start()).current().kid;
    const second = await start();
    expect(second.current().kid).toBe(first);
    expect(readdirSync(join(dir, 'data', 'keys'))).toHaveLength(1);
    expect(await dataSource.getRepository(SigningKey).count()).toBe(1);
  });

  it('signs vc+jwt credentials that jose verifies with the published JWKS', async () => {
    const service = await start();
    const jws = service.signCredential({ type: ['VerifiableCredential'] });
    expect(decodeJws(jws).header).toEqual({ alg: 'EdDSA', kid: service.current().kid, typ: 'vc+jwt' });
    expect(joseVerifies(jws, await service.jwks())).toBe(true);
  });

  it('rotates: the new key signs, the old one is retired and still published, the next start keeps the new key', async () => {
    const service = await start();
    const oldKid = service.current().kid;
    const oldJws = service.signCredential({ n: 1 });

    const newKid = await service.rotate();
    expect(newKid).not.toBe(oldKid);
    expect(service.current().kid).toBe(newKid);
    const newJws = service.signCredential({ n: 2 });
    expect(decodeJws(newJws).header.kid).toBe(newKid);
    expect(mode(keyFilePath(join(dir, 'data'), newKid))).toBe(0o600);

    const jwks = await service.jwks();
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    expect(joseVerifies(oldJws, jwks)).toBe(true);
    expect(joseVerifies(newJws, jwks)).toBe(true);
    const newPublic = await service.publicKey(newKid);
    expect(verifyCompactJws(newJws, newPublic!).payload).toEqual({ n: 2 });

    const rows = await dataSource.getRepository(SigningKey).find();
    expect(rows.find((r) => r.kid === oldKid)?.retiredAt).toBeInstanceOf(Date);
    expect(rows.find((r) => r.kid === newKid)?.retiredAt).toBeNull();

    expect((await start()).current().kid).toBe(newKid);
  });

  it('takes the key from SIGNING_KEY_PEM when configured: no file, published, not rotatable', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const service = await start({ signingKeyPem: privateKeyToPem(privateKey) });
    expect(service.current().kid).toBe(kidOf(privateKey));
    expect(existsSync(join(dir, 'data', 'keys'))).toBe(false);
    const [jwk] = (await service.jwks()).keys;
    expect(jwk.kid).toBe(kidOf(privateKey));
    expect(verifyCompactJws(service.signCredential({ a: 1 }), publicKeyFromJwk(jwk)).payload).toEqual({ a: 1 });
    await expect(service.rotate()).rejects.toThrow(SigningKeyError);
    // A second instance with the same key changes nothing.
    await start({ signingKeyPem: privateKeyToPem(privateKey) });
    expect(await dataSource.getRepository(SigningKey).count()).toBe(1);
  });

  it('switching from a file key to SIGNING_KEY_PEM keeps the old key published, retired', async () => {
    const fileKid = (await start()).current().kid;
    const { privateKey } = generateKeyPairSync('ed25519');
    await start({ signingKeyPem: privateKeyToPem(privateKey) });
    const rows = await dataSource.getRepository(SigningKey).find();
    expect(rows.map((r) => r.kid).sort()).toEqual([fileKid, kidOf(privateKey)].sort());
    expect(rows.find((r) => r.kid === fileKid)?.retiredAt).toBeInstanceOf(Date);
  });

  it('refuses a bad SIGNING_KEY_PEM without echoing it', async () => {
    const secret = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldA==\n-----END PRIVATE KEY-----\n';
    const error = await start({ signingKeyPem: secret }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(SigningKeyError);
    expect((error as Error).message).toContain('SIGNING_KEY_PEM');
    expect((error as Error).message).not.toContain('c2VjcmV0');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await expect(start({ signingKeyPem: ec.export({ format: 'pem', type: 'pkcs8' }).toString() })).rejects.toThrow('not an Ed25519 key');
  });

  it('refuses to start on a key file that does not hold the key its name says', async () => {
    const kid = (await start()).current().kid;
    const other = generateKeyPairSync('ed25519').privateKey;
    writeFileSync(keyFilePath(join(dir, 'data'), kid), privateKeyToPem(other), { mode: 0o600 });
    await expect(start()).rejects.toThrow(SigningKeyError);
  });

  it('current() before start is an error', () => {
    const service = new SigningKeysService(dataSource, { dataDir: dir } as AppConfig, tx);
    expect(() => service.current()).toThrow(SigningKeyError);
  });
});
