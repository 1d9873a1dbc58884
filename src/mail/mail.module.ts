import { Global, Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module';
import { ContentModule } from '../content/content.module';
import { MailRenderer } from './mail-renderer';
import { MailScheduler } from './mail-scheduler.service';
import { MailSender } from './mail-sender.service';
import { MailController } from './mail.controller';
import { OutboxService } from './outbox.service';
import { OutboxListService } from './outbox-list.service';
import { RemindersService } from './reminders.service';

/**
 * The outbox, its renderer and its sender: global, since every use case that
 * causes a message queues it in its own transaction (docs/mail.md).
 */
@Global()
@Module({ providers: [MailRenderer, OutboxService, MailSender], exports: [MailRenderer, OutboxService, MailSender] })
export class MailModule {}

/** Reminders (sent by people and by the scheduler) and the outbox list: the API under /api/v1. */
@Module({
  imports: [CertificatesModule, ContentModule],
  controllers: [MailController],
  providers: [RemindersService, MailScheduler, OutboxListService],
  exports: [RemindersService, MailScheduler, OutboxListService],
})
export class RemindersModule {}
