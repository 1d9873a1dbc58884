// Data source for the TypeORM CLI only (migration:generate|run|revert).
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

export default new DataSource({ ...dataSourceOptions(loadConfig()), migrationsRun: false });
