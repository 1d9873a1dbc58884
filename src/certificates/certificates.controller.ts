import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, OptionalUser, Roles, type AuthUser } from '../auth/auth-user';
import { Public } from '../auth/public.decorator';
import { sendDocument } from '../common/http/conditional';
import { CertificatesService, seesHolder } from './certificates.service';
import { JWT_MEDIA_TYPE, VC_JWT_MEDIA_TYPE } from './credential/jws';
import { credentialDocument, formatFromAccept, statusListDocument, verificationDocument } from './public-documents';
import { CredentialQueryDto, ReinstateDto, RevokeDto, VerifyManyDto } from './dto/certificate.dto';

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
   * A plain signed-out GET is usually answered by the public front
   * (src/common/http/public-front.ts) with the same document; this route
   * answers the rest (signed-in callers, errors).
   */
  @Public()
  @Get('certificates/:serial')
  async get(
    @Param('serial') serial: string,
    @OptionalUser() user: AuthUser | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const f = await this.certificates.facts(serial, user);
    // The holder's view names a person: never kept by any cache, and kept apart from the public answer by these (docs/caching.md).
    if (seesHolder(f))
      return void reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('vary', 'Authorization, Cookie')
        .send(JSON.stringify(f));
    sendDocument(req, reply, verificationDocument(f));
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
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const doc = await this.certificates.credential(serial, { form: q.form, format: q.format ?? formatFromAccept(accept) }, user);
    // The holder's form names a person: never kept by any cache.
    if (doc.form === 'holder')
      return void reply
        .header('content-type', doc.format === 'jwt' ? JWT_MEDIA_TYPE : VC_JWT_MEDIA_TYPE)
        .header('cache-control', 'private, no-store')
        .header('vary', 'Accept')
        .send(doc.jws);
    sendDocument(req, reply, credentialDocument(doc.jws, doc.format));
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
  async statusList(@Param('id', ParseUUIDPipe) id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    sendDocument(req, reply, statusListDocument(await this.certificates.statusListJws(id)));
  }
}
