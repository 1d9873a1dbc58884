// Data source for the TypeORM CLI only (migration:generate|revert; migration:run is migrate.cli.ts, which takes the lock).
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

export default new DataSource(dataSourceOptions(loadConfig()));
