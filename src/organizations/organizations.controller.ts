import { Body, ConflictException, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { AccessService } from '../access/access.service';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { TransactionService } from '../database/transaction.service';
import { CreateOrganizationDto } from './dto/create-organization.dto';
import { Organization } from './organization.entity';

const view = (o: Organization) => ({ id: o.id, name: o.name, corporateNumber: o.corporateNumber });

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('organizations')
export class OrganizationsController {
  constructor(
    private readonly tx: TransactionService,
    private readonly access: AccessService,
  ) {}

  @Post()
  @Roles('admin', 'town_staff', 'org_manager')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateOrganizationDto) {
    return this.tx.run(async (m) => {
      if (dto.corporateNumber && (await m.existsBy(Organization, { corporateNumber: dto.corporateNumber })))
        throw new ConflictException('An organization with this corporate number exists');
      const org: Organization = {
        id: randomUUID(),
        name: dto.name.trim(),
        corporateNumber: dto.corporateNumber ?? null,
        createdByOrganizationId: user.role === 'org_manager' ? user.organizationId : null,
        createdByMunicipalityId: user.role === 'town_staff' ? user.municipalityId : null,
        createdAt: new Date(),
      };
      await m.insert(Organization, org);
      return view(org);
    });
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return view(await this.access.organization(user, id));
  }
}
