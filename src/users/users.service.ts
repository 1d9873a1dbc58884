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

@Injectable()
export class UsersService {
  constructor(
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates an account where AccessService.accountBinding allows it (an
   * admin anyone; town staff their municipality's staff and managers of
   * organizations they control; a manager other managers of their own).
   *
   * An address already in use answers exactly like a free one (201, a fresh
   * id, the same work done) and creates nothing: whether an e-mail has an
   * account is not told to town staff or managers (OWASP Authentication
   * Cheat Sheet, "Authentication and Error Messages"; ASVS 5.0 V6). The act
   * is audited as `user.create_address_taken` with the existing account's id.
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
    };
    const answer = { id: user.id, email, displayName: user.displayName, role: user.role, municipalityId, organizationId };
    const tellsTaken = await this.access.can(actor, 'user.exists.read', null);
    return this.tx.run(async (m) => {
      const existing = await m.findOne(User, { select: { id: true }, where: { email } });
      if (existing && tellsTaken) throw new DomainError('account.email_taken');
      if (existing) {
        await this.audit.record(m, {
          action: 'user.create_address_taken',
          actor,
          targetType: 'user',
          targetId: existing.id,
          details: { role: user.role },
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
      return answer;
    });
  }
}
