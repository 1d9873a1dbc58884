import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { convert } from 'html-to-text';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDate, formatDateTime } from '../common/dates';
import { lookup, t, type Lang, type WordParams } from '../common/i18n/words';
import { MAIL_KINDS, type MailKind, type MailParams } from './mail-kinds';

/** views/mail beside src/ or dist/. */
export const MAIL_VIEWS = join(__dirname, '..', '..', 'views', 'mail');

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Turns a message's kind and params into its subject, plain text and HTML,
 * Japanese first and English second in one message (the recipient may read
 * either; no language preference is stored per person). Each kind has one
 * template, views/mail/<kind>.hbs, rendered once per language inside
 * views/mail/layout.hbs; the words are looked up with `{{t "mail.…"}}` in the
 * dictionary (src/web/i18n.ts). The plain text is made from the HTML by
 * html-to-text, so both parts always say the same. Simple HTML: paragraphs,
 * lists and links; no image, no remote resource, no tracking of any kind.
 */
@Injectable()
export class MailRenderer {
  private readonly hbs = Handlebars.create();
  private readonly templates = new Map<MailKind, Handlebars.TemplateDelegate>();
  private readonly layout: Handlebars.TemplateDelegate;

  constructor() {
    type Options = Handlebars.HelperOptions;
    const langOf = (options: Options): Lang => {
      const given = options?.hash?.lang ?? options?.data?.root?.lang;
      return given === 'en' ? 'en' : 'ja';
    };
    // A template names its keys as text; src/web/i18n.spec.ts checks every one exists.
    this.hbs.registerHelper('t', (key: string, options: Options) => lookup(langOf(options), key, options?.hash ?? {}) ?? key);
    this.hbs.registerHelper('date', (v: unknown, options: Options) => (v ? formatDate(v as string, langOf(options)) : ''));
    this.hbs.registerHelper('datetime', (v: unknown, options: Options) => (v ? formatDateTime(v as string, langOf(options)) : ''));
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
    const read = (name: string) => this.hbs.compile(readFileSync(join(MAIL_VIEWS, `${name}.hbs`), 'utf8'), { strict: false });
    this.layout = read('layout');
    for (const kind of MAIL_KINDS) this.templates.set(kind, read(kind));
  }

  /** `日本語の件名 / English subject`. */
  subject<K extends MailKind>(kind: K, params: MailParams[K]): string {
    const p = params as unknown as WordParams;
    return `${t('ja', `mail.${kind}.subject`, p)} / ${t('en', `mail.${kind}.subject`, p)}`;
  }

  render<K extends MailKind>(kind: K, params: MailParams[K]): RenderedMail {
    const template = this.templates.get(kind)!;
    const subject = this.subject(kind, params);
    const html = this.layout({
      subject,
      ja: template({ ...params, lang: 'ja' }),
      en: template({ ...params, lang: 'en' }),
    });
    const text = convert(html, {
      wordwrap: false,
      selectors: [
        { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
        { selector: 'hr', options: { length: 40 } },
        { selector: 'h1', options: { uppercase: false } },
        { selector: 'h2', options: { uppercase: false } },
      ],
    });
    return { subject, text, html };
  }
}
