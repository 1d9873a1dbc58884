import QRCode from 'qrcode';
import { formatDate, formatDateTime } from '../common/dates';
import type { IssuedCode } from '../workers/workers.service';
import { t, type Lang } from './i18n';

/** What WorkersService.slipFacts answers: the organization and, per e-mail, the worker's フリガナ and next start. */
export interface SlipFacts {
  organization: string;
  workers: Map<string, { furigana: string | null; startsOn: string | null }>;
}

/**
 * The printable sign-up slips (views/manager/slips.hbs, one A4 page each): the
 * site's enrolment address, the login ID (the e-mail address), the code as text
 * and as a QR code of the code itself (never a URL holding it: the code stays
 * in the page body), and the deadline in words: the code's expiry, and the
 * start of the worker's first engagement when there is one. Dates in JST.
 */
export async function signUpSlips(codes: IssuedCode[], facts: SlipFacts, baseUrl: string, lang: Lang) {
  return Promise.all(
    codes.map(async (c) => {
      const more = facts.workers.get(c.email);
      return {
        name: c.name,
        addressee: t(lang, 'slip.addressee', { name: c.name }),
        furigana: more?.furigana ?? null,
        employeeNumber: c.employeeNumber,
        loginId: c.email,
        code: c.enrollmentCode,
        qr: await QRCode.toString(c.enrollmentCode, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }),
        codeExpires: formatDateTime(c.expiresAt, lang),
        trainingBy: more?.startsOn ? formatDate(more.startsOn, lang) : null,
        url: `${baseUrl}/enroll`,
        organization: facts.organization,
        qrLabel: t(lang, 'slip.qrLabel'),
      };
    }),
  );
}
