import { Body, ConflictException, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { Roles } from '../auth/auth-user';
import { TransactionService } from '../database/transaction.service';
import { CreateMunicipalityDto } from './dto/create-municipality.dto';
import { Municipality } from './municipality.entity';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('municipalities')
export class MunicipalitiesController {
  constructor(private readonly tx: TransactionService) {}

  @Post()
  @Roles('admin')
  create(@Body() dto: CreateMunicipalityDto) {
    return this.tx.run(async (m) => {
      if (await m.existsBy(Municipality, { code: dto.code })) throw new ConflictException('A municipality with this code exists');
      const row = { id: randomUUID(), name: dto.name.trim(), code: dto.code, createdAt: new Date() };
      await m.insert(Municipality, row);
      return { id: row.id, name: row.name, code: row.code };
    });
  }
}
