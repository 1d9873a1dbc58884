import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { LangQuery, StartAttemptDto, SubmissionDto } from './dto/attempt.dto';
import { TrainingService } from './training.service';

@ApiTags('training')
@ApiBearerAuth()
@Roles('worker')
@Controller()
export class TrainingController {
  constructor(private readonly training: TrainingService) {}

  @Get('me/engagements')
  myEngagements(@CurrentUser() user: AuthUser) {
    return this.training.myEngagements(user);
  }

  @Post('modules/:id/attempts')
  start(@CurrentUser() user: AuthUser, @Param('id') moduleId: string, @Body() dto: StartAttemptDto, @Query() q: LangQuery) {
    return this.training.start(user, moduleId, dto.engagementId, q.lang);
  }

  @Get('attempts/:id')
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Query() q: LangQuery) {
    return this.training.get(user, id, q.lang);
  }

  @Post('attempts/:id/submission')
  @HttpCode(200)
  submit(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: SubmissionDto, @Query() q: LangQuery) {
    return this.training.submit(user, id, dto.answers, q.lang);
  }
}
