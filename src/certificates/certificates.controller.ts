import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentUser, OptionalUser, Roles, type AuthUser } from '../auth/auth-user';
import { Public } from '../auth/public.decorator';
import { CertificatesService } from './certificates.service';
import { VC_JWT_MEDIA_TYPE } from './credential/jws';
import { RevokeDto, VerifyManyDto } from './dto/certificate.dto';

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

  /** Public: status and minimal facts; the holder's name and e-mail only to those who may see them. */
  @Public()
  @Get('certificates/:serial')
  get(@Param('serial') serial: string, @OptionalUser() user?: AuthUser) {
    return this.certificates.facts(serial, user);
  }

  @Public()
  @Get('certificates/:serial/credential')
  @Header('content-type', VC_JWT_MEDIA_TYPE)
  @ApiProduces(VC_JWT_MEDIA_TYPE)
  credential(@Param('serial') serial: string) {
    return this.certificates.credential(serial);
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

  @Public()
  @Get('status-lists/:id')
  @Header('content-type', VC_JWT_MEDIA_TYPE)
  @ApiProduces(VC_JWT_MEDIA_TYPE)
  statusList(@Param('id', ParseUUIDPipe) id: string) {
    return this.certificates.statusListJws(id);
  }
}
