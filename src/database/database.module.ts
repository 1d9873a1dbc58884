import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { checkDataKeys } from './data-key-check';
import { dataSourceOptions } from './data-source-options';
import { openDatabase } from './migrate';
import { TransactionService } from './transaction.service';
import { WalCheckpointer } from './wal-checkpointer';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), retryAttempts: 1 }),
      // Migrated under the lock before any provider can use the database (several instances may be starting).
      // Then the data keys are checked against what the database holds (data-key-check.ts).
      dataSourceFactory: async (options) => {
        const ds = await openDatabase(options!);
        try {
          await checkDataKeys(ds);
        } catch (e) {
          await ds.destroy();
          throw e;
        }
        return ds;
      },
    }),
  ],
  providers: [TransactionService, WalCheckpointer],
  exports: [TransactionService],
})
export class DatabaseModule {}
