import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { loadContent } from './content-loader';
import { EngagementFlags, TrainingModule } from './content.types';
import { deriveCurriculum } from './curriculum';

/**
 * The training content, loaded and validated once at start from
 * `config.contentDir`. Invalid content throws ContentError from the
 * constructor, which stops the application from starting.
 */
@Injectable()
export class ContentService {
  private readonly log = new Logger('Content');
  private readonly all: readonly TrainingModule[];
  private readonly byId: ReadonlyMap<string, TrainingModule>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.all = loadContent(config.contentDir).modules;
    this.byId = new Map(this.all.map((m) => [m.id, m]));
    this.log.log(`Loaded ${this.all.length} training modules from ${config.contentDir}`);
  }

  /** Every module, in curriculum order; deeply frozen. */
  get modules(): readonly TrainingModule[] {
    return this.all;
  }

  list(): readonly TrainingModule[] {
    return this.all;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /**
   * The module.
   * @throws DomainError `module.not_found` (404)
   */
  get(id: string): TrainingModule {
    const module = this.byId.get(id);
    if (!module) throw new DomainError('module.not_found', { id });
    return module;
  }

  /** Module ids an engagement with these flags (and town-added extras) requires. */
  curriculum(flags: Partial<EngagementFlags>, extraModuleIds: readonly string[] = []): string[] {
    return deriveCurriculum(this.all, flags, extraModuleIds);
  }
}
