import { loadConfig, ConfigError } from '../config/app-config';
import { parseMailFrom, parseSmtpUrl } from '../config/mail-settings';
import { limitOf, MAIL_KINDS, windowStart } from './mail-kinds';
import { MailRenderer } from './mail-renderer';
import { backoffMs, describeSendError, messageIdOf } from './mail-sender.service';
import { maskAddress } from './outbox-list.service';
import { currentStep } from './reminders.service';

describe('mail settings', () => {
  it('accepts smtp and smtps URLs with percent-encoded credentials and the known options only', () => {
    expect(parseSmtpUrl('smtp://relay.internal:25')).toEqual({ secure: false, host: 'relay.internal', port: 25, authenticated: false });
    expect(parseSmtpUrl('smtps://user%40corp:p%2Fss@mail.example.jp')).toEqual({
      secure: true,
      host: 'mail.example.jp',
      port: 465,
      authenticated: true,
    });
    expect(parseSmtpUrl('smtp://u:p@relay.example.jp?requireTLS=true&tls.servername=relay.example.jp')?.port).toBe(587);
    for (const bad of ['http://relay', 'smtp://', 'smtp://relay/path', 'smtp://relay?pool=true', 'relay:25', 'smtp://u:%E0%A4%A@relay'])
      expect([bad, parseSmtpUrl(bad)]).toEqual([bad, null]);
  });

  it('takes MAIL_FROM as one address with an optional name', () => {
    expect(parseMailFrom('研修事務局 <training@example.jp>')).toEqual({ name: '研修事務局', address: 'training@example.jp' });
    expect(parseMailFrom('a@example.jp, b@example.jp')).toBeNull();
    expect(parseMailFrom('not an address')).toBeNull();
  });

  it('refuses a wrong SMTP_URL at start without echoing it, and wants MAIL_FROM with it', () => {
    const secret = 'smtp://user:Sup3rSecret@relay.example.jp/oops';
    let message = '';
    try {
      loadConfig({ SMTP_URL: secret, MAIL_FROM: 'a@example.jp' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Invalid environment: SMTP_URL: must be smtp:/);
    expect(message).not.toContain('Sup3rSecret');
    expect(() => loadConfig({ SMTP_URL: 'smtp://relay.example.jp' })).toThrow('MAIL_FROM: is required with SMTP_URL');
    expect(loadConfig({}).smtpUrl).toBeUndefined();
  });
});

describe('the sender', () => {
  it('backs off exponentially, within ±20 %, up to an hour', () => {
    for (const [attempt, base] of [
      [1, 30_000],
      [2, 60_000],
      [4, 240_000],
      [7, 1_920_000],
      [12, 3_600_000],
    ]) {
      const ms = backoffMs(attempt);
      expect(ms).toBeGreaterThanOrEqual(base * 0.8);
      expect(ms).toBeLessThanOrEqual(base * 1.2);
    }
  });

  it('derives the Message-ID from the idempotency key, so a resent copy carries the same one', () => {
    expect(messageIdOf('reminder:e:w:2026-12-21', 'example.jp')).toBe(messageIdOf('reminder:e:w:2026-12-21', 'example.jp'));
    expect(messageIdOf('reminder:e:w:2026-12-21', 'example.jp')).not.toBe(messageIdOf('reminder:e:w:2026-12-22', 'example.jp'));
    expect(messageIdOf('x', 'example.jp')).toMatch(/^<[0-9a-f]{40}@example\.jp>$/);
  });

  it('keeps no address in an error it records', () => {
    expect(describeSendError({ responseCode: 550, response: '550 5.1.1 <yamada@example.jp>: Recipient address rejected' })).toBe(
      '550 5.1.1 <…@…>: Recipient address rejected',
    );
    expect(describeSendError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:25' })).toBe(
      'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:25',
    );
  });

  it('masks recipients for the outbox page', () => {
    expect(maskAddress('yamada@example.jp')).toBe('ya***@example.jp');
    expect(maskAddress('ab@example.jp')).toBe('a***@example.jp');
  });
});

describe('limits and schedules', () => {
  it('gives every kind a limit; reminders are one per JST day', () => {
    for (const kind of MAIL_KINDS) expect(limitOf(kind).max).toBeGreaterThan(0);
    expect(limitOf('training_reminder')).toMatchObject({ name: 'reminder', max: 1, jstDay: true });
    expect(limitOf('worker_invitation_reminder').name).toBe('reminder');
    // 2026-12-21 08:30 JST is 2026-12-20 23:30 UTC; the JST day began at 2026-12-20 15:00 UTC.
    expect(windowStart({ jstDay: true }, new Date('2026-12-20T23:30:00Z')).toISOString()).toBe('2026-12-20T15:00:00.000Z');
    expect(windowStart({ hours: 1 }, new Date('2026-12-20T23:30:00Z')).toISOString()).toBe('2026-12-20T22:30:00.000Z');
  });

  it('finds the step of a reminder schedule', () => {
    expect(currentStep([14, 3], 20)).toBeNull();
    expect(currentStep([14, 3], 14)).toBe(14);
    expect(currentStep([14, 3], 10)).toBe(14);
    expect(currentStep([14, 3], 3)).toBe(3);
    expect(currentStep([14, 3], 1)).toBe(3);
    expect(currentStep([], 1)).toBeNull();
  });
});

describe('the messages', () => {
  const renderer = new MailRenderer();

  it('are Japanese first, then English, in the text and the HTML, with no image or remote resource', () => {
    const m = renderer.render('training_reminder', {
      name: '山田　太郎',
      engagement: '住民情報システム運用保守業務',
      startsOn: '2027-01-04',
      done: 2,
      total: 5,
      link: 'https://lms.example.jp/learn',
    });
    expect(m.subject).toBe('【研修】受講のお願い（住民情報システム運用保守業務） / [Training] Reminder (住民情報システム運用保守業務)');
    for (const body of [m.text, m.html]) expect(body.indexOf('研修を続ける')).toBeLessThan(body.indexOf('Continue the training'));
    expect(m.text).toContain('2027年1月4日');
    expect(m.text).toContain('4 January 2027');
    expect(m.text).toContain('現在の状況: 5単元中 2単元を修了');
    expect(m.text).toContain('https://lms.example.jp/learn');
    expect(m.html).not.toMatch(/<img|src=|url\(/i);
  });

  it('escape what they quote in the HTML', () => {
    const m = renderer.render('certificate_revoked', {
      name: '<b>x</b>',
      engagement: 'e',
      serial: 'S',
      municipality: '府中町',
      reason: '<script>alert(1)</script>',
      verifyLink: 'https://lms.example.jp/verify/S',
    });
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
  });
});
