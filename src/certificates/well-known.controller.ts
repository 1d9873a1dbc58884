import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { CertificatesService } from './certificates.service';

@ApiTags('certificates')
@Public()
@Controller('.well-known')
export class WellKnownController {
  constructor(private readonly certificates: CertificatesService) {}

  /** Every signing key ever used, so credentials signed before a rotation still verify. */
  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks() {
    return this.certificates.jwks();
  }
}
