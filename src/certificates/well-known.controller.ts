import { Controller, Get, Header, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendDocument } from '../common/http/conditional';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { CertificatesService } from './certificates.service';
import { jwksDocument } from './public-documents';

/**
 * Root-level documents a verifier dereferences: the JWKS, each key at its own
 * URL (a credential's `kid`), and this service's JSON-LD context.
 */
@ApiTags('certificates')
@Public()
@Controller()
export class WellKnownController {
  constructor(private readonly certificates: CertificatesService) {}

  /**
   * Every signing key ever used, so credentials signed before a rotation
   * still verify. A rotation adds a key: reused for five minutes at most, then
   * revalidated by its ETag (a new key, a new tag), so a verifier sees a new
   * key within five minutes (docs/caching.md).
   */
  @Get('.well-known/jwks.json')
  async jwks(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    sendDocument(req, reply, jwksDocument(await this.certificates.jwks()));
  }

  /** One public key, what a credential's `kid` (`<base>/keys/<thumbprint>`) dereferences to (Open Badges 3.0 §8.2). */
  @Get('keys/:thumbprint')
  @Header('content-type', 'application/jwk+json')
  @Header('cache-control', 'public, max-age=86400')
  @ApiProduces('application/jwk+json')
  jwk(@Param('thumbprint') thumbprint: string) {
    return this.certificates.jwk(thumbprint);
  }

  /** The JSON-LD context for the terms Open Badges 3.0 lacks (module id and revision). */
  @Get('contexts/article4-v1.jsonld')
  @Header('content-type', 'application/ld+json')
  @Header('cache-control', 'public, max-age=86400')
  @ApiProduces('application/ld+json')
  context() {
    return this.certificates.context();
  }
}
