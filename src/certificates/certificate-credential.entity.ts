import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DATA_KEYS } from '../common/crypto/field-cipher';
import { decrypted } from '../database/columns';
import type { CredentialForm } from './credential/open-badge';

/** How a credential is secured: `vc`, VC-JOSE (`application/vc+jwt`, EdDSA); `jwt`, the Open Badges 3.0 §8.2 JWT (`application/jwt`, ES256). */
export type CredentialFormat = 'vc' | 'jwt';

/** The key of a stored form: `public.vc`, `holder.vc`, `public.jwt`, `holder.jwt`. */
export type StoredForm = `${CredentialForm}.${CredentialFormat}`;

export const STORED_FORMS: readonly StoredForm[] = ['public.vc', 'holder.vc', 'public.jwt', 'holder.jwt'];

/**
 * A certificate's signed credential in one form, signed once at issuance
 * (docs/certificates.md, "Two forms"): fetching one is a primary-key read,
 * never a signature. Kept apart from `certificates` so the rows every lookup
 * and progress page reads stay small.
 */
@Entity('certificate_credentials')
export class CertificateCredential {
  @PrimaryColumn({ type: 'varchar', length: 32 }) serial: string;
  @PrimaryColumn({ type: 'varchar', length: 16 }) form: StoredForm;
  /**
   * The compact JWS. The holder's forms carry the full name: they are stored encrypted
   * (`sealedForm`, docs/data-protection.md), the public forms (masked name only) as they are;
   * reading decrypts either.
   */
  @Column({ type: 'text', transformer: { to: (v: string) => v, from: (v: string) => decrypted(JWS_CONTEXT, v) } }) jws: string;
}

export const JWS_CONTEXT = 'certificate_credentials.jws';

/** A form as stored: the holder's forms encrypted at rest, the public forms as signed. */
export function sealedForm(c: CertificateCredential): CertificateCredential {
  return c.form.startsWith('holder.') ? { ...c, jws: DATA_KEYS.encrypt(c.jws, JWS_CONTEXT) } : c;
}
