import { Foundation1764100000000 } from './1764100000000-Foundation';
import { AccountsAndEngagements1764200000000 } from './1764200000000-AccountsAndEngagements';
import { TrainingAndCertificates1764300000000 } from './1764300000000-TrainingAndCertificates';
import { AuditTrail1764400000000 } from './1764400000000-AuditTrail';
import { TrackingIndexes1764500000000 } from './1764500000000-TrackingIndexes';
import { SignInThrottle1765100000000 } from './1765100000000-SignInThrottle';
import { CertificatesThatStayTrue1765200000000 } from './1765200000000-CertificatesThatStayTrue';
import { NormalizeEmails1765300000000 } from './1765300000000-NormalizeEmails';
import { ItemAnalysisIndex1765500000000 } from './1765500000000-ItemAnalysisIndex';
import { MailOutbox1765700000000 } from './1765700000000-MailOutbox';
import { WorkerFurigana1766200000000 } from './1766200000000-WorkerFurigana';
import { PublicCredentialsWithoutIdentity1765800000000 } from './1765800000000-PublicCredentialsWithoutIdentity';
import { CertificatePublicFacts1766000000000 } from './1766000000000-CertificatePublicFacts';
import { PersonalDataEncrypted1766100000000 } from './1766100000000-PersonalDataEncrypted';
import { EngagementCloseOut1766100000001 } from './1766100000001-EngagementCloseOut';
import { EncryptedFurigana1766200000001 } from './1766200000001-EncryptedFurigana';
import { CertificatesByWorker1766300000000 } from './1766300000000-CertificatesByWorker';

/** In order. `npm run migration:generate` writes new files here; add them to this list. */
export const MIGRATIONS = [
  Foundation1764100000000,
  AccountsAndEngagements1764200000000,
  TrainingAndCertificates1764300000000,
  AuditTrail1764400000000,
  TrackingIndexes1764500000000,
  SignInThrottle1765100000000,
  CertificatesThatStayTrue1765200000000,
  NormalizeEmails1765300000000,
  ItemAnalysisIndex1765500000000,
  MailOutbox1765700000000,
  PublicCredentialsWithoutIdentity1765800000000,
  CertificatePublicFacts1766000000000,
  PersonalDataEncrypted1766100000000,
  EngagementCloseOut1766100000001,
  WorkerFurigana1766200000000,
  EncryptedFurigana1766200000001,
  CertificatesByWorker1766300000000,
];
