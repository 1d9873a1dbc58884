import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { emailIndexes } from '../database/columns';
import { lockInTransaction } from '../database/locks';
import { TransactionService } from '../database/transaction.service';
import { hashPassword } from '../auth/password';
import { issueEnrollmentCode } from '../auth/tokens';
import { User } from '../users/user.entity';
import { Municipality } from '../municipalities/municipality.entity';
import { ContentService } from '../content/content.service';
import { Engagement } from '../engagements/engagement.entity';
import { SubcontractLink } from '../engagements/subcontract-link.entity';
import { Organization } from '../organizations/organization.entity';
import { Assignment } from '../workers/assignment.entity';
import { Worker } from '../workers/worker.entity';

/** What the service does on an empty database, and the demo dataset. */
@Injectable()
export class SetupService {
  private readonly log = new Logger('Setup');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly content: ContentService,
  ) {}

  /**
   * Creates the first admin when there is no user at all. Without
   * ADMIN_EMAIL/ADMIN_PASSWORD a password is generated and printed once, to
   * stdout only (never into the structured log). Several instances starting
   * together create one admin: the check and the insert happen under the
   * database-wide `setup` lock (src/database/locks.ts); the others then find it.
   */
  async ensureAdmin(print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<void> {
    // The usual start: someone exists, so skip hashing a password no one will use.
    if (await this.db.getRepository(User).exists()) return;
    const email = (this.config.adminEmail ?? 'admin@example.jp').toLowerCase();
    const generated = !this.config.adminPassword;
    const password = this.config.adminPassword ?? randomBytes(15).toString('base64url');
    // Hashed before the transaction: no lock is held while it computes.
    const passwordHash = await hashPassword(password, this.config.passwordHashMemoryKiB);
    const created = await this.tx.run(async (m) => {
      await lockInTransaction(m, 'setup');
      if ((await m.count(User)) > 0) return false;
      await m.insert(User, {
        id: randomUUID(),
        email,
        displayName: '管理者',
        role: 'admin',
        passwordHash,
        municipalityId: null,
        organizationId: null,
        workerId: null,
        createdAt: new Date(),
        // The operator named this address (ADMIN_EMAIL): it counts as proved.
        emailVerifiedAt: this.config.adminEmail ? new Date() : null,
      });
      return true;
    });
    if (!created) return;
    this.log.log('Created the first admin account');
    if (generated) print(`\n  Admin account: ${email}\n  Password (shown once): ${password}\n`);
  }

  /**
   * The demo dataset, idempotent: running it again, or on several instances
   * starting together (under the `setup` lock), changes nothing. 府中町 with
   * a town staff account, a prime contractor, a tier-1 subcontractor (approved)
   * and a tier-2 one (pending), a few workers in each, all assigned to one
   * engagement that starts next month.
   */
  async seedDemo(): Promise<void> {
    const hash = await hashPassword(DEMO_PASSWORD, this.config.passwordHashMemoryKiB);
    const created = await this.tx.run(async (m) => {
      await lockInTransaction(m, 'setup');
      const now = new Date();
      let fuchu = await m.findOneBy(Municipality, { code: FUCHU.code });
      if (!fuchu) {
        fuchu = { id: randomUUID(), ...FUCHU, createdAt: now };
        await m.insert(Municipality, fuchu);
      }
      if (await m.existsBy(Engagement, { municipalityId: fuchu.id, contractNumber: DEMO_CONTRACT })) return false;

      const user = (email: string, displayName: string, role: User['role'], extra: Partial<User>) =>
        m.insert(User, {
          id: randomUUID(),
          email,
          displayName,
          role,
          passwordHash: hash,
          municipalityId: null,
          organizationId: null,
          workerId: null,
          createdAt: now,
          // Demo addresses (example.jp) cannot receive mail; they count as proved so nothing can displace them.
          emailVerifiedAt: now,
          ...extra,
        });
      const staff = randomUUID();
      await m.insert(User, {
        id: staff,
        email: 'staff@fuchu.example.jp',
        displayName: '府中町 情報政策課',
        role: 'town_staff',
        passwordHash: hash,
        municipalityId: fuchu.id,
        organizationId: null,
        workerId: null,
        createdAt: now,
        emailVerifiedAt: now,
      });

      const orgs = DEMO_ORGS.map((o) => ({
        id: randomUUID(),
        ...o,
        createdByOrganizationId: null,
        createdByMunicipalityId: fuchu.id,
        createdAt: now,
      }));
      await m.insert(Organization, orgs);
      const [prime, tier1, tier2] = orgs;
      const startsOn = firstOfNextMonth(now);
      const engagement = {
        id: randomUUID(),
        municipalityId: fuchu.id,
        title: '住民情報システム運用保守業務',
        contractNumber: DEMO_CONTRACT,
        primeOrganizationId: prime.id,
        startsOn,
        endsOn: `${Number(startsOn.slice(0, 4)) + 1}-03-31`,
        handlesPersonalInfo: true,
        handlesMyNumber: true,
        usesCloudStorage: true,
        extraModuleIds: [],
        curriculum: this.content.curriculum({ handlesPersonalInfo: true, handlesMyNumber: true, usesCloudStorage: true }, []),
        passMark: null,
        certificateValidityDays: 365,
        createdAt: now,
      };
      await m.insert(Engagement, engagement);
      const link = (org: { id: string }, parent: { id: string }, tier: number, approved: boolean) => ({
        id: randomUUID(),
        engagementId: engagement.id,
        organizationId: org.id,
        parentOrganizationId: parent.id,
        tier,
        status: approved ? ('approved' as const) : ('pending_approval' as const),
        decidedOn: approved ? now.toISOString().slice(0, 10) : null,
        reference: approved ? '府情第1201号' : null,
        decidedBy: approved ? staff : null,
        createdAt: now,
      });
      await m.insert(SubcontractLink, [link(tier1, prime, 1, true), link(tier2, tier1, 2, false)]);

      for (const [i, org] of orgs.entries()) {
        const domain = DEMO_ORGS[i].domain;
        await user(`manager@${domain}`, `${org.name} 管理者`, 'org_manager', { organizationId: org.id });
        for (const [j, name] of DEMO_WORKERS[i].entries()) {
          const worker = {
            id: randomUUID(),
            organizationId: org.id,
            name,
            email: `worker${j + 1}@${domain}`,
            employeeNumber: `${domain.slice(0, 2).toUpperCase()}${String(j + 1).padStart(4, '0')}`,
            enrollmentCodeHash: null,
            enrollmentCodeExpiresAt: null,
            enrolledAt: now,
            createdAt: now,
            updatedAt: now,
          };
          await m.insert(Worker, worker);
          await user(worker.email, name, 'worker', { organizationId: org.id, workerId: worker.id });
          await m.insert(Assignment, { engagementId: engagement.id, workerId: worker.id, assignedBy: staff, assignedAt: now });
        }
      }
      // A content author: the item analysis (docs/item-analysis.md), nothing about people.
      await user(DEMO_AUTHOR, '教材作成 担当', 'content_author', {});
      // One worker who has not enrolled yet, to try enrolment with a code.
      await m.insert(Worker, {
        id: randomUUID(),
        organizationId: prime.id,
        name: '新人　さくら',
        email: `newcomer@${DEMO_ORGS[0].domain}`,
        employeeNumber: null,
        enrollmentCodeHash: null,
        enrollmentCodeExpiresAt: null,
        enrolledAt: null,
        createdAt: now,
        updatedAt: now,
      });
      return true;
    });
    if (created) this.log.log('Demo data created');
    const code = await this.demoEnrollmentCode();
    this.announce(
      [
        '',
        `  Demo data (府中町 343021). Every demo account's password: ${DEMO_PASSWORD}`,
        '    town staff   staff@fuchu.example.jp',
        `    content      ${DEMO_AUTHOR} (item analysis)`,
        ...DEMO_ORGS.map(
          (o, i) =>
            `    ${['prime  ', 'tier 1 ', 'tier 2 '][i]}      manager@${o.domain}, worker1@${o.domain} … worker${DEMO_WORKERS[i].length}@${o.domain}`,
        ),
        ...(code ? [`    enrolment    code ${code} (a new one at each start, for the newcomer of the prime)`] : []),
        '',
      ].join('\n'),
    );
  }

  /** A fresh code for the demo newcomer while they have not enrolled (codes are stored hashed, so showing one means issuing it). */
  private async demoEnrollmentCode(): Promise<string | null> {
    return this.tx.run(async (m) => {
      const w = await m.findOneBy(Worker, { emailIndex: In(emailIndexes(`newcomer@${DEMO_ORGS[0].domain}`)) });
      if (!w || w.enrolledAt) return null;
      const { code, hash, expiresAt } = issueEnrollmentCode();
      await m.update(Worker, { id: w.id }, { enrollmentCodeHash: hash, enrollmentCodeExpiresAt: expiresAt });
      return code;
    });
  }

  /** Operator-facing lines go to stdout, not into the request log. */
  announce(line: string): void {
    process.stdout.write(line + '\n');
  }
}

export const FUCHU = { name: '府中町', code: '343021' };
export const DEMO_PASSWORD = 'demo-password-2026';
const DEMO_CONTRACT = 'R8-情政-0001';
const DEMO_AUTHOR = 'author@content.example.jp';
const DEMO_ORGS = [
  { name: '株式会社安芸情報システム', corporateNumber: '8240001000001', domain: 'aki-joho.example.jp' },
  { name: 'ひろしまデータサービス株式会社', corporateNumber: '7240001000002', domain: 'hiroshima-data.example.jp' },
  { name: '合同会社府中ソフト', corporateNumber: '4240003000003', domain: 'fuchu-soft.example.jp' },
];
const DEMO_WORKERS = [
  ['山田　太郎', '佐藤　花子', '髙橋　一郎'],
  ['鈴木　次郎', '田中　美咲'],
  ['伊藤　健', '渡邊　さくら'],
];

function firstOfNextMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return d.toISOString().slice(0, 10);
}
