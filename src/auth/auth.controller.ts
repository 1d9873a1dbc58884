import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, OptionalUser, type AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { AcceptInvitationDto, AddressProofDto, EnrollDto, LoginDto, PasswordResetDto, PasswordResetRequestDto } from './dto/login.dto';
import { AccountLinksService } from './account-links.service';
import { Public } from './public.decorator';
import { SessionsService } from '../sessions/sessions.service';

@ApiTags('accounts')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly links: AccountLinksService,
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
  async enroll(@Body() body: EnrollDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.auth.enroll(body.enrollmentCode, body.password);
    // The address is held by an account that has not proved it either: a link went to the address (docs/mail.md).
    if ('addressProofSent' in result) reply.code(202);
    return result;
  }

  /** Sends a reset link if the address has an account; 202 and the same empty answer either way. */
  @Public()
  @Post('auth/password-reset')
  @HttpCode(202)
  async requestPasswordReset(@Body() body: PasswordResetRequestDto): Promise<Record<string, never>> {
    await this.links.requestPasswordReset(body.email);
    return {};
  }

  /** Sets the new password with the code of the reset message; every session of the account ends. */
  @Public()
  @Post('auth/password-reset/confirmation')
  @HttpCode(204)
  async resetPassword(@Body() body: PasswordResetDto): Promise<void> {
    await this.links.resetPassword(body.code, body.password);
  }

  /**
   * Uses an address-proof code: 200 `{proved: true}` (signed in as the account it was sent for; 401
   * otherwise), or, for an account that waited for the proof, 200 like login.
   */
  @Public()
  @Post('auth/address-proof')
  @HttpCode(200)
  async proveAddress(@Body() body: AddressProofDto, @OptionalUser() user?: AuthUser) {
    const outcome = await this.links.proveAddress(body.code, user);
    return outcome.kind === 'proved' ? { proved: true } : outcome.signedIn;
  }

  /** Accepts a manager invitation: a manager account at the invited address, signed in (200 like login). */
  @Public()
  @Post('auth/invitation')
  @HttpCode(200)
  acceptInvitation(@Body() body: AcceptInvitationDto) {
    return this.links.acceptInvitation(body.code, body.displayName, body.password);
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
