import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AccessService } from '../access/access.service';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { CreateOrganizationDto } from './dto/create-organization.dto';
import { InviteManagerDto } from './dto/invite-manager.dto';
import { organizationView as view, OrganizationsService } from './organizations.service';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('organizations')
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly access: AccessService,
  ) {}

  @Post()
  @Roles('admin', 'town_staff', 'org_manager')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateOrganizationDto) {
    return this.organizations.create(user, dto);
  }

  /** Invites the first manager of an organization without one, by e-mail (docs/accounts-and-access.md). */
  @Post(':id/manager-invitations')
  @Roles('admin', 'town_staff', 'org_manager')
  inviteManager(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: InviteManagerDto) {
    return this.organizations.inviteManager(user, id, dto);
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return view(await this.access.organization(user, id));
  }
}
