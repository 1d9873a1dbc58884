import { AuditEvent } from '../audit/audit-event.entity';
import { EmailToken } from '../auth/email-token.entity';
import { EngagementArchive } from '../close-out/engagement-archive.entity';
import { OutboxMessage } from '../mail/outbox-message.entity';
import { Attempt } from '../training/attempt.entity';
import { Completion } from '../training/completion.entity';
import { Certificate } from '../certificates/certificate.entity';
import { CertificateCredential } from '../certificates/certificate-credential.entity';
import { SigningKey } from '../certificates/signing-key.entity';
import { StatusList } from '../certificates/status-list.entity';
import { Engagement } from '../engagements/engagement.entity';
import { SubcontractLink } from '../engagements/subcontract-link.entity';
import { Municipality } from '../municipalities/municipality.entity';
import { Organization } from '../organizations/organization.entity';
import { Session } from '../sessions/session.entity';
import { User } from '../users/user.entity';
import { Assignment } from '../workers/assignment.entity';
import { Worker } from '../workers/worker.entity';

export const ENTITIES = [
  Municipality,
  Organization,
  User,
  Session,
  Engagement,
  SubcontractLink,
  Worker,
  Assignment,
  Attempt,
  Completion,
  StatusList,
  SigningKey,
  Certificate,
  CertificateCredential,
  AuditEvent,
  OutboxMessage,
  EmailToken,
  EngagementArchive,
];
