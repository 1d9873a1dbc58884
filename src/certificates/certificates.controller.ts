import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyReply } from 'fastify';
import { CurrentUser, OptionalUser, Roles, type AuthUser } from '../auth/auth-user';
import { Public } from '../auth/public.decorator';
import { CertificatesService } from './certificates.service';
import { JWT_MEDIA_TYPE, VC_JWT_MEDIA_TYPE } from './credential/jws';
import { CredentialQueryDto, ReinstateDto, RevokeDto, VerifyManyDto } from './dto/certificate.dto';

/** The format the Accept header asks for: the OB 3.0 JWT form only when it prefers `application/jwt`; VC-JOSE otherwise. */
function formatFromAccept(accept: string | undefined): 'vc' | 'jwt' {
  return accept && negotiate(accept, [VC_JWT_MEDIA_TYPE, JWT_MEDIA_TYPE]) === JWT_MEDIA_TYPE ? 'jwt' : 'vc';
}

@ApiTags('certificates')
@Controller()
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @ApiBearerAuth()
  @Roles('worker')
  @Get('me/certificates')
  mine(@CurrentUser() user: AuthUser) {
    return this.certificates.mine(user);
  }

  /**
   * Public: exactly what /verify shows, `{serial, status, validFrom, validUntil, revokedAt,
   * engagement:{title, municipality}, organization:{name}, holder:{maskedName}}`. Those who may
   * see the holder also get `issuedAt`, `revocationReason`, `reinstatedAt`, the engagement's id,
   * contract number and municipality code, `modules` and `holder:{name, email}`.
   */
  @Public()
  @Get('certificates/:serial')
  get(@Param('serial') serial: string, @OptionalUser() user?: AuthUser) {
    return this.certificates.facts(serial, user);
  }

  /**
   * The signed credential, stored at issuance. `?form=holder` (the name in
   * full) only for those who may see the holder; `?format=jwt` or
   * `Accept: application/jwt` for the Open Badges 3.0 JWT form.
   */
  @Public()
  @Get('certificates/:serial/credential')
  @ApiProduces(VC_JWT_MEDIA_TYPE, JWT_MEDIA_TYPE)
  async credential(
    @Param('serial') serial: string,
    @Query() q: CredentialQueryDto,
    @Headers('accept') accept: string | undefined,
    @OptionalUser() user: AuthUser | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const doc = await this.certificates.credential(serial, { form: q.form, format: q.format ?? formatFromAccept(accept) }, user);
    reply.header('content-type', doc.format === 'jwt' ? JWT_MEDIA_TYPE : VC_JWT_MEDIA_TYPE);
    reply.header('vary', 'Accept');
    // The holder's form names a person: never kept by a shared cache.
    if (doc.form === 'holder') reply.header('cache-control', 'private, no-store');
    return doc.jws;
  }

  @ApiBearerAuth()
  @Roles('town_staff', 'admin')
  @Post('certificates/verify')
  @HttpCode(200)
  verifyMany(@CurrentUser() user: AuthUser, @Body() dto: VerifyManyDto) {
    return this.certificates.verifyMany(user, dto.serials);
  }

  @ApiBearerAuth()
  @Roles('town_staff', 'admin')
  @Post('certificates/:serial/revocation')
  @HttpCode(200)
  revoke(@CurrentUser() user: AuthUser, @Param('serial') serial: string, @Body() dto: RevokeDto) {
    return this.certificates.revoke(user, serial, dto.reason);
  }

  /** The town lifts a revocation's hold: a new certificate is issued at once, or after re-training (`retraining: true`). */
  @ApiBearerAuth()
  @Roles('town_staff', 'admin')
  @Post('certificates/:serial/reinstatement')
  @HttpCode(200)
  reinstate(@CurrentUser() user: AuthUser, @Param('serial') serial: string, @Body() dto: ReinstateDto) {
    return this.certificates.reinstate(user, serial, dto.reason, dto.retraining ?? false);
  }

  @Public()
  @Get('status-lists/:id')
  @ApiProduces(VC_JWT_MEDIA_TYPE)
  async statusList(@Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const jws = await this.certificates.statusListJws(id);
    reply.header('content-type', VC_JWT_MEDIA_TYPE);
    return jws;
  }
}
