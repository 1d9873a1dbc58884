import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { TransactionService } from '../../database/transaction.service';
import { SigningKey } from '../signing-key.entity';
import { credentialHeader, signCompactJws } from './jws';
import {
  Ed25519PublicJwk,
  generateSigningKey,
  kidOf,
  PublishedJwk,
  privateKeyFromPem,
  publicJwkOf,
  publicKeyFromJwk,
  publishedJwk,
  readPrivateKeyFiles,
  SigningKeyError,
  writePrivateKeyFile,
} from './keys';

/**
 * The credential signing key. The private key comes from SIGNING_KEY_PEM
 * (every instance the same key) or from `<dataDir>/keys/signing-<kid>.pem`,
 * created on first start; the public halves of every key ever used live in
 * `signing_keys`, so any instance publishes the same JWKS and credentials
 * signed before a rotation keep verifying.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly log = new Logger('SigningKeys');
  private active?: { kid: string; privateKey: KeyObject };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionService,
  ) {}

  // TODO(integrator): AppConfig gains `signingKeyPem?: string` from SIGNING_KEY_PEM.
  private get configuredPem(): string | undefined {
    return (this.config as AppConfig & { signingKeyPem?: string }).signingKeyPem || undefined;
  }

  async onModuleInit(): Promise<void> {
    const pem = this.configuredPem;
    if (pem) {
      const privateKey = privateKeyFromPem(pem, 'SIGNING_KEY_PEM');
      const kid = kidOf(privateKey);
      await this.register(kid, publicJwkOf(privateKey), new Date());
      this.active = { kid, privateKey };
      this.log.log(`Signing credentials with key ${kid} (SIGNING_KEY_PEM)`);
      return;
    }

    const files = await readPrivateKeyFiles(this.config.dataDir);
    const rows = new Map((await this.dataSource.getRepository(SigningKey).find()).map((r) => [r.kid, r]));
    // The newest key still in service; a key file the table does not know yet counts as in service.
    const ranked = files
      .map((f) => ({
        ...f,
        retired: !!rows.get(f.kid)?.retiredAt,
        createdAt: rows.get(f.kid)?.createdAt ?? f.modifiedAt,
      }))
      .sort((a, b) => Number(a.retired) - Number(b.retired) || b.createdAt.getTime() - a.createdAt.getTime());
    const chosen = ranked[0];
    if (chosen) {
      if (!rows.has(chosen.kid)) await this.register(chosen.kid, publicJwkOf(chosen.privateKey), chosen.createdAt);
      this.active = { kid: chosen.kid, privateKey: chosen.privateKey };
      this.log.log(`Signing credentials with key ${chosen.kid}`);
      return;
    }
    const kid = await this.createKey();
    this.log.log(`Created signing key ${kid} in ${this.config.dataDir}/keys`);
  }

  /** The key new credentials are signed with. */
  current(): { kid: string; privateKey: KeyObject } {
    if (!this.active) throw new SigningKeyError('signing key not loaded yet (onModuleInit has not run)');
    return this.active;
  }

  /** A compact JWS `{alg: EdDSA, kid, typ: vc+jwt}` over the credential, with the current key. */
  signCredential(payload: object): string {
    const { kid, privateKey } = this.current();
    return signCompactJws(credentialHeader(kid), payload, privateKey);
  }

  /** Every key ever used, newest first, retired ones too, so old credentials still verify. */
  async jwks(): Promise<{ keys: PublishedJwk[] }> {
    const rows = await this.dataSource.getRepository(SigningKey).find({ order: { createdAt: 'DESC' } });
    return { keys: rows.map((r) => publishedJwk(r.publicJwk, r.kid)) };
  }

  /** The public key for a kid from the table, or null. */
  async publicKey(kid: string): Promise<KeyObject | null> {
    const row = await this.dataSource.getRepository(SigningKey).findOneBy({ kid });
    return row ? publicKeyFromJwk(row.publicJwk) : null;
  }

  /**
   * A new key signs from now on; the previous one is marked retired and stays
   * published. Other instances pick the new key up at their next start when
   * they share the data folder; give them SIGNING_KEY_PEM otherwise.
   */
  async rotate(): Promise<string> {
    if (this.configuredPem) {
      throw new SigningKeyError('the signing key comes from SIGNING_KEY_PEM: rotate by replacing it and restarting');
    }
    const previous = this.active?.kid;
    const kid = await this.createKey();
    this.log.log(`Rotated signing key ${previous ?? '(none)'} → ${kid}`);
    return kid;
  }

  private async createKey(): Promise<string> {
    const privateKey = generateSigningKey();
    const { kid } = await writePrivateKeyFile(this.config.dataDir, privateKey);
    await this.register(kid, publicJwkOf(privateKey), new Date());
    this.active = { kid, privateKey };
    return kid;
  }

  /**
   * Publishes the key if the table lacks it, and retires the keys in service
   * that are not newer: "retired" means a newer key took over signing.
   * Idempotent, so instances starting together with one key are harmless.
   */
  private async register(kid: string, publicJwk: Ed25519PublicJwk, createdAt: Date): Promise<void> {
    await this.tx.run(async (m) => {
      const rows = await m.find(SigningKey);
      const own = rows.find((r) => r.kid === kid);
      if (own) return;
      await m
        .createQueryBuilder()
        .insert()
        .into(SigningKey)
        .values({ kid, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: publicJwk.x }, createdAt, retiredAt: null })
        .orIgnore()
        .execute();
      const now = new Date();
      for (const r of rows) {
        if (!r.retiredAt && r.createdAt <= createdAt) await m.update(SigningKey, { kid: r.kid }, { retiredAt: now });
      }
    });
  }
}
