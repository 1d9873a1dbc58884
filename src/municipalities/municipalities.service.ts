import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { randomUUID } from 'node:crypto';
import { TransactionService } from '../database/transaction.service';
import { CreateMunicipalityDto } from './dto/create-municipality.dto';
import { Municipality } from './municipality.entity';

@Injectable()
export class MunicipalitiesService {
  constructor(private readonly tx: TransactionService) {}

  /**
   * One municipality per local government code.
   * @throws DomainError `municipality.code_taken` (409)
   */
  create(dto: CreateMunicipalityDto) {
    return this.tx.run(async (m) => {
      if (await m.existsBy(Municipality, { code: dto.code })) throw new DomainError('municipality.code_taken');
      const row = { id: randomUUID(), name: dto.name.trim(), code: dto.code, createdAt: new Date() };
      await m.insert(Municipality, row);
      return { id: row.id, name: row.name, code: row.code };
    });
  }
}
