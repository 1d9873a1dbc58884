import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { randomUUID } from 'node:crypto';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { hashPassword } from '../auth/password';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { CreateUserDto } from './dto/create-user.dto';
import { User } from './user.entity';
import { EntityManager } from 'typeorm';
import { AccountLinksService } from '../auth/account-links.service';
import { addressHolder, proved } from '../auth/address-proof';
import { OutboxService } from '../mail/outbox.service';
import { Municipality } from '../municipalities/municipality.entity';
import { Organization } from '../organizations/organization.entity';

@Injectable()
export class UsersService {
  constructor(
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly links: AccountLinksService,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * Creates an account where AccessService.accountBinding allows it (an
   * admin anyone; town staff their municipality's staff and managers of
   * organizations they control; a manager other managers of their own).
   *
   * An address already in use answers exactly like a free one (201, a fresh
   * id, the same work done): whether an e-mail has an account is not told to
   * town staff or managers (OWASP Authentication Cheat Sheet, "Authentication
   * and Error Messages"; ASVS 5.0 V6). Behind that answer, the proof-of-address
   * rule (docs/accounts-and-access.md, auth/address-proof.ts):
   * - free: the account is created, unproved, and sent a link to prove its address;
   * - held by a proved account: nothing is created, the holder is told by
   *   e-mail (`address_in_use`), `user.create_address_taken` is audited;
   * - held by an unproved account (it blocks nobody): the new account waits
   *   for its address, a proof link goes there, and it is created (with the id
   *   answered now) when the link is used, displacing the unproved holder;
   *   `user.create_address_taken` is audited with the waiting account's id (`pendingUserId`).
   * Only the admin, who may learn of any account, gets the 409.
   * @throws 400/403/404 from accountBinding; 409 (admin only) for a taken address
   */
  async create(actor: AuthUser, dto: CreateUserDto) {
    const { municipalityId, organizationId } = await this.access.accountBinding(actor, dto);
    const passwordHash = await hashPassword(dto.password, this.config.passwordHashMemoryKiB);
    const email = dto.email.trim().toLowerCase();
    const user: User = {
      id: randomUUID(),
      email,
      displayName: dto.displayName.trim(),
      role: dto.role,
      passwordHash,
      municipalityId,
      organizationId,
      workerId: null,
      createdAt: new Date(),
      emailVerifiedAt: null,
    };
    const answer = { id: user.id, email, displayName: user.displayName, role: user.role, municipalityId, organizationId };
    const tellsTaken = await this.access.can(actor, 'user.exists.read', null);
    return this.tx.run(async (m) => {
      const existing = await addressHolder(m, email);
      if (existing && tellsTaken) throw new DomainError('account.email_taken');
      const registrar = await this.registrarName(m, { municipalityId, organizationId });
      if (existing && proved(existing)) {
        await this.audit.record(m, {
          action: 'user.create_address_taken',
          actor,
          targetType: 'user',
          targetId: existing.id,
          details: { role: user.role },
        });
        await this.outbox.enqueue(
          m,
          {
            kind: 'address_in_use',
            to: email,
            userId: existing.id,
            key: `address-in-use:${user.id}`,
            params: { role: user.role, registrar },
          },
          actor,
        );
        return answer;
      }
      if (existing) {
        await this.links.sendAddressProof(
          m,
          { email },
          'account',
          actor,
          {
            kind: 'account',
            userId: user.id,
            displayName: user.displayName,
            role: dto.role,
            municipalityId,
            organizationId,
            passwordHash,
            createdBy: actor.id,
          },
          registrar,
        );
        await this.audit.record(m, {
          action: 'user.create_address_taken',
          actor,
          targetType: 'user',
          targetId: existing.id,
          details: { role: user.role, pendingUserId: user.id },
        });
        return answer;
      }
      await m.insert(User, user);
      await this.audit.record(m, {
        action: 'user.created',
        actor,
        targetType: 'user',
        targetId: user.id,
        details: { role: user.role, municipalityId, organizationId },
      });
      await this.links.sendAddressProof(m, { email, userId: user.id }, 'confirm', actor, undefined, registrar);
      return answer;
    });
  }

  /** The name of the municipality or organization an account is bound to (what a message may say about who acted). */
  private async registrarName(
    m: EntityManager,
    binding: { municipalityId: string | null; organizationId: string | null },
  ): Promise<string> {
    if (binding.organizationId) return (await m.findOneBy(Organization, { id: binding.organizationId }))?.name ?? '';
    if (binding.municipalityId) return (await m.findOneBy(Municipality, { id: binding.municipalityId }))?.name ?? '';
    return 'article4-lms';
  }
}
