import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth-user';
import { CreateMunicipalityDto } from './dto/create-municipality.dto';
import { MunicipalitiesService } from './municipalities.service';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('municipalities')
export class MunicipalitiesController {
  constructor(private readonly municipalities: MunicipalitiesService) {}

  @Post()
  @Roles('admin')
  create(@Body() dto: CreateMunicipalityDto) {
    return this.municipalities.create(dto);
  }
}
