import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { newToken } from '../auth/tokens';
import { sha256Hex } from '../common/canonical-json';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { decrypted } from '../database/columns';
import { queryOne } from '../database/portable-sql';
import { TransactionService } from '../database/transaction.service';
import { Session } from './session.entity';

export const SESSION_COOKIE = 'a4_session';
export const SESSION_HOURS = 12;

@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `also` runs in the same transaction (the sign-in's audit event). */
  async open(userId: string, also?: (m: EntityManager) => Promise<unknown>): Promise<{ token: string; expiresAt: Date }> {
    const token = newToken();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
    await this.tx.run(async (m) => {
      await m.insert(Session, { id: randomUUID(), userId, tokenHash: sha256Hex(token), createdAt: now, expiresAt, revokedAt: null });
      await also?.(m);
    });
    return { token, expiresAt };
  }

  /**
   * The signed-in user a session token stands for, or null (unknown, revoked or expired). Read on every
   * signed-in request: one kept prepared statement (queryOne), not a query built each time.
   */
  async resolve(token: string): Promise<AuthUser | null> {
    const row = await queryOne<Record<string, string | null>>(this.db, SESSION_SQL, [sha256Hex(token)]);
    if (!row || row.revoked_at || new Date(row.expires_at!) <= new Date()) return null;
    return {
      id: row.id!,
      role: row.role as AuthUser['role'],
      displayName: decrypted('users.display_name', row.display_name!),
      email: decrypted('users.email', row.email!),
      municipalityId: row.municipality_id,
      organizationId: row.organization_id,
      workerId: row.worker_id,
      sessionId: row.sid!,
    };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.tx.run((m) => m.update(Session, { id: sessionId }, { revokedAt: new Date() }));
  }

  /** Cookie attributes for the pages' session. */
  cookieOptions(expiresAt: Date) {
    return {
      path: '/',
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.config.publicBaseUrl.startsWith('https://'),
      expires: expiresAt,
    };
  }
}

const SESSION_SQL = `SELECT s.id AS sid, s.expires_at AS expires_at, s.revoked_at AS revoked_at, u.id AS id, u.role AS role,
  u.display_name AS display_name, u.email AS email, u.municipality_id AS municipality_id, u.organization_id AS organization_id,
  u.worker_id AS worker_id
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`;
