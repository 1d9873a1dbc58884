import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { SystemService } from './system.service';

/** What runs: the town may inspect it (Article 12), the operator checks it. */
@ApiTags('system')
@ApiBearerAuth()
@Roles('admin', 'town_staff')
@Controller('system')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  /** `{service:{name,version}, runtime:{version, major, endOfLife, support}, database, sbom:{format,digest,components}|null}` */
  @Get()
  facts() {
    return this.system.facts();
  }

  /** The CycloneDX bill of materials of the production dependencies (`npm run sbom`). */
  @Get('sbom')
  @Header('content-type', 'application/vnd.cyclonedx+json')
  @ApiProduces('application/vnd.cyclonedx+json')
  sbom() {
    const doc = this.system.sbomDocument();
    if (!doc) throw new DomainError('system.sbom_missing');
    return doc;
  }
}
