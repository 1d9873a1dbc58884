import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, OptionalUser, Roles, type AuthUser } from '../auth/auth-user';
import { Public } from '../auth/public.decorator';
import { conditional, entityTag, STATUS_TTL_SECONDS } from '../common/http/conditional';
import { CertificatesService, seesHolder } from './certificates.service';
import { publicFactsJson } from './public-facts-json';
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
  async get(
    @Param('serial') serial: string,
    @OptionalUser() user: AuthUser | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const f = await this.certificates.facts(serial, user);
    reply.type('application/json; charset=utf-8');
    // The answer depends on who asks (the holder's view): a shared cache keeps it apart by these (docs/caching.md).
    if (seesHolder(f)) {
      reply.header('cache-control', 'private, no-store').header('vary', 'Authorization, Cookie');
      return void reply.send(JSON.stringify(f));
    }
    const body = publicFactsJson(f);
    // The status may change (revocation, expiry): reusable for the status list's time to live, then revalidated by ETag.
    if (conditional(req, reply, entityTag(body), { cacheControl: `public, max-age=${STATUS_TTL_SECONDS}`, vary: 'Authorization, Cookie' }))
      return void reply.send();
    reply.send(body);
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
    reply.header('content-type', doc.format === 'jwt' ? JWT_MEDIA_TYPE : VC_JWT_MEDIA_TYPE);
    // The holder's form names a person: never kept by any cache.
    if (doc.form === 'holder') return void reply.header('cache-control', 'private, no-store').header('vary', 'Accept').send(doc.jws);
    // A signed credential never changes once issued (its status lives in the status list): cacheable for a year.
    if (conditional(req, reply, entityTag(doc.jws), { cacheControl: 'public, max-age=31536000, immutable', vary: 'Accept' }))
      return void reply.send();
    reply.send(doc.jws);
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
    const jws = await this.certificates.statusListJws(id);
    reply.header('content-type', VC_JWT_MEDIA_TYPE);
    // Its bits change with revocations: reused for its time to live (the credential's `ttl`), then revalidated by ETag.
    if (conditional(req, reply, entityTag(jws), { cacheControl: `public, max-age=${STATUS_TTL_SECONDS}` })) return void reply.send();
    reply.send(jws);
  }
}
