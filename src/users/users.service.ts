import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccessService } from '../access/access.service';
import type { AuthUser } from '../auth/auth-user';
import { hashPassword } from '../auth/password';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionService } from '../database/transaction.service';
import { fieldError } from '../common/http/errors';
import { Municipality } from '../municipalities/municipality.entity';
import { CreateUserDto } from './dto/create-user.dto';
import { User } from './user.entity';

@Injectable()
export class UsersService {
  constructor(
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Who may create whom: an admin anyone; town staff their own municipality's
   * staff and managers of organizations they can see; a manager other managers
   * of their own organization.
   */
  async create(actor: AuthUser, dto: CreateUserDto) {
    let municipalityId: string | null = null;
    let organizationId: string | null = null;
    if (dto.role === 'admin') {
      if (actor.role !== 'admin') throw new ForbiddenException('Only an admin may create an admin');
    } else if (dto.role === 'town_staff') {
      if (actor.role === 'org_manager') throw new ForbiddenException('Managers may create only managers of their organization');
      municipalityId = actor.role === 'town_staff' ? actor.municipalityId : (dto.municipalityId ?? null);
      if (!municipalityId) throw fieldError('municipalityId', 'is required for town_staff');
      if (dto.municipalityId && dto.municipalityId !== municipalityId) throw new NotFoundException('Municipality not found');
    } else {
      organizationId = actor.role === 'org_manager' ? actor.organizationId : (dto.organizationId ?? null);
      if (!organizationId) throw fieldError('organizationId', 'is required for org_manager');
      if (dto.organizationId && dto.organizationId !== organizationId) throw new NotFoundException('Organization not found');
      await this.access.organization(actor, organizationId);
    }
    const passwordHash = await hashPassword(dto.password, this.config.scryptLogN);
    const email = dto.email.trim().toLowerCase();
    return this.tx.run(async (m) => {
      if (municipalityId && !(await m.existsBy(Municipality, { id: municipalityId })))
        throw new NotFoundException('Municipality not found');
      if (await m.existsBy(User, { email })) throw new ConflictException('An account with this e-mail already exists');
      const user = {
        id: randomUUID(),
        email,
        displayName: dto.displayName.trim(),
        role: dto.role,
        passwordHash,
        municipalityId,
        organizationId,
        workerId: null,
        failedLogins: 0,
        failedLoginWindowStart: null,
        lockedUntil: null,
        createdAt: new Date(),
      };
      await m.insert(User, user);
      return { id: user.id, email, displayName: user.displayName, role: user.role, municipalityId, organizationId };
    });
  }
}
