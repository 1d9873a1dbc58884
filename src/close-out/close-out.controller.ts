import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { CloseOutService } from './close-out.service';
import { ErasureDto } from './dto/erasure.dto';

/** Close-out and erasure of an engagement (docs/data-protection.md); the town's. */
@ApiTags('engagements')
@ApiBearerAuth()
@Controller('engagements')
export class CloseOutController {
  constructor(private readonly closeOut: CloseOutService) {}

  /** Where the close-out stands: closed out when, the archive's digest, from when erasure is allowed, erased when. */
  @Get(':id/close-out')
  @Roles('town_staff')
  state(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.closeOut.state(user, id);
  }

  /** After `endsOn`, once: produces the signed archive and records its digest. */
  @Post(':id/close-out')
  @HttpCode(200)
  @Roles('town_staff')
  close(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.closeOut.closeOut(user, id);
  }

  /** The archive's exact bytes (canonical JSON), while kept; its SHA-256 in `X-Content-SHA256`. */
  @Get(':id/close-out/archive')
  @Roles('town_staff')
  @ApiProduces('application/json')
  async archive(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const a = await this.closeOut.archive(user, id);
    reply.header('content-type', 'application/json; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="close-out-${id}.json"`);
    reply.header('x-content-sha256', a.sha256);
    return a.bytes;
  }

  /** The detached signature: a compact JWS (EdDSA, `typ` article4-close-out+jwt) whose payload's `sha256` is the archive's. */
  @Get(':id/close-out/signature')
  @Roles('town_staff')
  @ApiProduces('application/jwt')
  async signature(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const a = await this.closeOut.archive(user, id);
    reply.header('content-type', 'application/jwt');
    reply.header('content-disposition', `attachment; filename="close-out-${id}.jws"`);
    return a.signature;
  }

  /** The second, confirmed step: erases the personal data only this engagement needed. */
  @Post(':id/erasure')
  @HttpCode(200)
  @Roles('town_staff')
  erase(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ErasureDto) {
    return this.closeOut.erase(user, id, dto.confirm);
  }
}
