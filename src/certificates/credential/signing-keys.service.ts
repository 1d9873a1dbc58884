import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { TransactionService } from '../../database/transaction.service';
import { SigningKey } from '../signing-key.entity';
import { credentialHeader, openBadgeJwtHeader, signCompactJws } from './jws';
import {
  algOfJwk,
  generateSigningKey,
  keyUrl,
  PublicJwk,
  PublishedJwk,
  privateKeyFromPem,
  publicJwkOf,
  publicKeyFromJwk,
  publishedJwk,
  readPrivateKeyFiles,
  SIGNING_ALGS,
  SigningAlg,
  SigningKeyError,
  thumbprintOf,
  writePrivateKeyFile,
} from './keys';

/** Where each kind of key may be given instead of a key file. */
const SETTING: Record<SigningAlg, { env: string; config: 'signingKeyPem' | 'signingKeyEs256Pem' }> = {
  EdDSA: { env: 'SIGNING_KEY_PEM', config: 'signingKeyPem' },
  ES256: { env: 'SIGNING_KEY_ES256_PEM', config: 'signingKeyEs256Pem' },
};

/**
 * The signing keys, one in service per algorithm: Ed25519 (`EdDSA`) for the
 * VC-JOSE credentials and status lists, P-256 (`ES256`) for the Open Badges
 * 3.0 JWT form. Each private key comes from its setting (SIGNING_KEY_PEM,
 * SIGNING_KEY_ES256_PEM: every instance the same key) or from
 * `<dataDir>/keys/signing-<thumbprint>.pem`, created on first start; the
 * public halves of every key ever used live in `signing_keys`, so any
 * instance publishes the same JWKS and credentials signed before a rotation
 * keep verifying. A credential's `kid` is the key URL (`keyUrl`).
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly log = new Logger('SigningKeys');
  private readonly active = new Map<SigningAlg, { kid: string; privateKey: KeyObject }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionService,
  ) {}

  private configuredPem(alg: SigningAlg): string | undefined {
    return this.config[SETTING[alg].config] || undefined;
  }

  async onModuleInit(): Promise<void> {
    const files = await readPrivateKeyFiles(this.config.dataDir);
    const rows = new Map((await this.dataSource.getRepository(SigningKey).find()).map((r) => [r.kid, r]));
    for (const alg of SIGNING_ALGS) await this.load(alg, files, rows);
  }

  private async load(alg: SigningAlg, files: Awaited<ReturnType<typeof readPrivateKeyFiles>>, rows: Map<string, SigningKey>) {
    const pem = this.configuredPem(alg);
    if (pem) {
      const privateKey = privateKeyFromPem(pem, SETTING[alg].env, alg);
      const kid = thumbprintOf(privateKey);
      await this.register(kid, publicJwkOf(privateKey), new Date());
      this.active.set(alg, { kid, privateKey });
      this.log.log(`Signing ${alg} with key ${kid} (${SETTING[alg].env})`);
      return;
    }
    // The newest key still in service; a key file the table does not know yet counts as in service.
    const ranked = files
      .filter((f) => f.alg === alg)
      .map((f) => ({ ...f, retired: !!rows.get(f.kid)?.retiredAt, createdAt: rows.get(f.kid)?.createdAt ?? f.modifiedAt }))
      .sort((a, b) => Number(a.retired) - Number(b.retired) || b.createdAt.getTime() - a.createdAt.getTime());
    const chosen = ranked[0];
    if (chosen) {
      if (!rows.has(chosen.kid)) await this.register(chosen.kid, publicJwkOf(chosen.privateKey), chosen.createdAt);
      this.active.set(alg, { kid: chosen.kid, privateKey: chosen.privateKey });
      this.log.log(`Signing ${alg} with key ${chosen.kid}`);
      return;
    }
    const kid = await this.createKey(alg);
    this.log.log(`Created ${alg} signing key ${kid} in ${this.config.dataDir}/keys`);
  }

  /** The key in service for `alg` (EdDSA by default): its RFC 7638 thumbprint and private key. */
  current(alg: SigningAlg = 'EdDSA'): { kid: string; privateKey: KeyObject } {
    const key = this.active.get(alg);
    if (!key) throw new SigningKeyError('signing key not loaded yet (onModuleInit has not run)');
    return key;
  }

  /** The URL of the key in service for `alg`: the `kid` of what it signs. */
  currentKeyUrl(alg: SigningAlg = 'EdDSA'): string {
    return keyUrl(this.config.publicBaseUrl, this.current(alg).kid);
  }

  /** A VC-JOSE compact JWS `{alg: EdDSA, kid: <key URL>, typ: vc+jwt}` over the credential, with the Ed25519 key in service. */
  signCredential(payload: object): string {
    return signCompactJws(credentialHeader(this.currentKeyUrl('EdDSA')), payload, this.current('EdDSA').privateKey);
  }

  /** An Open Badges 3.0 §8.2 JWT `{alg: ES256, kid: <key URL>, typ: JWT}` over the claims, with the P-256 key in service. */
  signJwt(claims: object): string {
    return signCompactJws(openBadgeJwtHeader(this.currentKeyUrl('ES256')), claims, this.current('ES256').privateKey);
  }

  /** Every key ever used, newest first, retired ones too, so old credentials still verify; each `kid` is its key URL. */
  async jwks(): Promise<{ keys: PublishedJwk[] }> {
    const rows = await this.dataSource.getRepository(SigningKey).find({ order: { createdAt: 'DESC' } });
    return { keys: rows.map((r) => publishedJwk(r.publicJwk, keyUrl(this.config.publicBaseUrl, r.kid))) };
  }

  /** One published key by its thumbprint (what its key URL serves), or null. */
  async jwk(thumbprint: string): Promise<PublishedJwk | null> {
    const row = await this.dataSource.getRepository(SigningKey).findOneBy({ kid: thumbprint });
    return row ? publishedJwk(row.publicJwk, keyUrl(this.config.publicBaseUrl, row.kid)) : null;
  }

  /** The public key for a thumbprint from the table, or null. */
  async publicKey(thumbprint: string): Promise<KeyObject | null> {
    const row = await this.dataSource.getRepository(SigningKey).findOneBy({ kid: thumbprint });
    return row ? publicKeyFromJwk(row.publicJwk) : null;
  }

  /**
   * New keys sign from now on, one per algorithm whose key is not given by a
   * setting; the previous ones are marked retired and stay published. Other
   * instances pick the new keys up at their next start when they share the
   * data folder; give them the settings otherwise.
   * @returns the thumbprints of the new keys
   * @throws SigningKeyError when every key comes from a setting
   */
  async rotate(): Promise<string[]> {
    const rotatable = SIGNING_ALGS.filter((alg) => !this.configuredPem(alg));
    if (!rotatable.length) {
      throw new SigningKeyError(
        'the signing keys come from SIGNING_KEY_PEM and SIGNING_KEY_ES256_PEM: rotate by replacing them and restarting',
      );
    }
    const created: string[] = [];
    for (const alg of rotatable) {
      const previous = this.active.get(alg)?.kid;
      const kid = await this.createKey(alg);
      this.log.log(`Rotated ${alg} signing key ${previous ?? '(none)'} → ${kid}`);
      created.push(kid);
    }
    return created;
  }

  private async createKey(alg: SigningAlg): Promise<string> {
    const privateKey = generateSigningKey(alg);
    const { kid } = await writePrivateKeyFile(this.config.dataDir, privateKey);
    await this.register(kid, publicJwkOf(privateKey), new Date());
    this.active.set(alg, { kid, privateKey });
    return kid;
  }

  /**
   * Publishes the key if the table lacks it, and retires the keys of the same
   * algorithm in service that are not newer: "retired" means a newer key took
   * over signing. Idempotent, so instances starting together with one key are harmless.
   */
  private async register(kid: string, publicJwk: PublicJwk, createdAt: Date): Promise<void> {
    const alg = algOfJwk(publicJwk);
    await this.tx.run(async (m) => {
      const rows = await m.find(SigningKey);
      if (rows.some((r) => r.kid === kid)) return;
      await m
        .createQueryBuilder()
        .insert()
        .into(SigningKey)
        .values({ kid, publicJwk: publicJwkOf(publicKeyFromJwk(publicJwk)), createdAt, retiredAt: null })
        .orIgnore()
        .execute();
      const now = new Date();
      for (const r of rows) {
        if (algOfJwk(r.publicJwk) === alg && !r.retiredAt && r.createdAt <= createdAt)
          await m.update(SigningKey, { kid: r.kid }, { retiredAt: now });
      }
    });
  }
}
