import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Put, Query, HttpCode } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { PageQuery } from '../common/pagination/pagination';
import { AddSubcontractorDto, ApprovalDto, CreateEngagementDto, ReminderDaysDto } from './dto/engagement.dto';
import { EngagementsService } from './engagements.service';

@ApiTags('engagements')
@ApiBearerAuth()
@Controller('engagements')
export class EngagementsController {
  constructor(private readonly engagements: EngagementsService) {}

  @Post()
  @Roles('town_staff')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateEngagementDto) {
    return this.engagements.create(user, dto);
  }

  @Get()
  list(@CurrentUser() user: AuthUser, @Query() page: PageQuery) {
    return this.engagements.list(user, page.limit, page.cursor);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.engagements.get(user, id);
  }

  /** The days before the start on which unfinished workers are reminded by e-mail ([] for none). */
  @Put(':id/reminder-days')
  @Roles('town_staff')
  setReminderDays(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ReminderDaysDto) {
    return this.engagements.setReminderDays(user, id, dto.reminderDays);
  }

  @Post(':id/subcontractors')
  @Roles('town_staff', 'org_manager')
  addSubcontractor(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: AddSubcontractorDto) {
    return this.engagements.addSubcontractor(user, id, dto);
  }

  @Get(':id/subcontractors')
  @Roles('admin', 'town_staff', 'org_manager')
  listSubcontractors(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.engagements.listSubcontractors(user, id);
  }

  @Post(':id/subcontractors/:organizationId/approval')
  @HttpCode(200)
  @Roles('town_staff')
  decide(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('organizationId', ParseUUIDPipe) organizationId: string,
    @Body() dto: ApprovalDto,
  ) {
    return this.engagements.decide(user, id, organizationId, dto);
  }
}
