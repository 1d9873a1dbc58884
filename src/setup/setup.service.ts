import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { hashPassword } from '../auth/password';
import { User } from '../users/user.entity';
import { Municipality } from '../municipalities/municipality.entity';

/** What the service does on an empty database, and the demo dataset. */
@Injectable()
export class SetupService {
  private readonly log = new Logger('Setup');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionService,
  ) {}

  /**
   * Creates the first admin when there is no user at all. Without
   * ADMIN_EMAIL/ADMIN_PASSWORD a password is generated and printed once, to
   * stdout only (never into the structured log).
   */
  async ensureAdmin(print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<void> {
    const email = (this.config.adminEmail ?? 'admin@example.jp').toLowerCase();
    const generated = !this.config.adminPassword;
    const password = this.config.adminPassword ?? randomBytes(15).toString('base64url');
    const created = await this.tx.run(async (m) => {
      if ((await m.count(User)) > 0) return false;
      await m.insert(User, {
        id: randomUUID(),
        email,
        displayName: '管理者',
        role: 'admin',
        passwordHash: await hashPassword(password, this.config.scryptLogN),
        municipalityId: null,
        organizationId: null,
        workerId: null,
        failedLogins: 0,
        createdAt: new Date(),
      });
      return true;
    });
    if (!created) return;
    this.log.log('Created the first admin account');
    if (generated) print(`\n  Admin account: ${email}\n  Password (shown once): ${password}\n`);
  }

  /** The demo dataset, idempotent: running it twice changes nothing. */
  async seedDemo(): Promise<void> {
    await this.tx.run(async (m) => {
      if (!(await m.findOneBy(Municipality, { code: FUCHU.code })))
        await m.insert(Municipality, { id: randomUUID(), ...FUCHU, createdAt: new Date() });
    });
    this.announce('Demo data ready: 府中町 (343021)');
  }

  /** Operator-facing lines go to stdout, not into the request log. */
  announce(line: string): void {
    process.stdout.write(line + '\n');
  }
}

export const FUCHU = { name: '府中町', code: '343021' };
