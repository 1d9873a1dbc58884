import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CertificatesService } from '../certificates/certificates.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RemindersService } from './reminders.service';

/** The first round after start, so a starting instance serves requests first. */
const FIRST_ROUND_MS = 30_000;

/**
 * The automatic mail: reminders on each engagement's schedule and notices of
 * certificates that end within 30 days. Every instance runs it every
 * MAIL_SCHEDULE_MINUTES (0: off); several instances at once queue nothing
 * twice, because every message has an idempotency key naming what it is
 * about and the day (`reminder:<engagement>:<worker>:<JST date>`,
 * `certificate-expiring:<certificate>`), checked under the audit lock and
 * unique in the outbox (OutboxService).
 */
@Injectable()
export class MailScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('MailScheduler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopping = false;

  constructor(
    private readonly reminders: RemindersService,
    private readonly certificates: CertificatesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.mailScheduleMinutes > 0) this.schedule(FIRST_ROUND_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => this.log.error(`scheduled mail failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.config.mailScheduleMinutes * 60_000);
        });
    }, ms);
    this.timer.unref();
  }

  /** One round, as of `now`: what is due is queued, what was queued before is not. */
  async runOnce(now = new Date()): Promise<{ reminded: number; invited: number; limited: number; expiring: number }> {
    const reminders = await this.reminders.remindDue(now);
    const expiring = await this.certificates.noticeExpiring(now);
    return { ...reminders, expiring };
  }
}
