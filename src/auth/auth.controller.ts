import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentUser, type AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { EnrollDto, LoginDto } from './dto/login.dto';
import { Public } from './public.decorator';
import { SessionsService } from '../sessions/sessions.service';

@ApiTags('accounts')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() body: LoginDto, @Req() req: FastifyRequest) {
    return this.auth.login(body.email, body.password, req.ip);
  }

  @Public()
  @Post('auth/enroll')
  @HttpCode(200)
  enroll(@Body() body: EnrollDto) {
    return this.auth.enroll(body.enrollmentCode, body.password);
  }

  @ApiBearerAuth()
  @Post('auth/logout')
  @HttpCode(204)
  async logout(@CurrentUser() user: AuthUser): Promise<void> {
    await this.sessions.revoke(user.sessionId);
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentUser() user: AuthUser) {
    const { id, role, displayName, email, municipalityId, organizationId, workerId } = user;
    return {
      id,
      role,
      displayName,
      email,
      ...(municipalityId ? { municipalityId } : {}),
      ...(organizationId ? { organizationId } : {}),
      ...(workerId ? { workerId } : {}),
    };
  }
}
