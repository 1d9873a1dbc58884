import handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const VIEWS = join(__dirname, '..', '..', 'views');
const cache = new Map<string, HandlebarsTemplateDelegate>();

function template(name: string): HandlebarsTemplateDelegate {
  let t = cache.get(name);
  if (!t) {
    t = handlebars.compile(readFileSync(join(VIEWS, `${name}.hbs`), 'utf8'));
    cache.set(name, t);
  }
  return t;
}

/**
 * Printable documents (the certificate, the Article 11 report) use their own
 * A4 layout rather than the application's page layout, which @fastify/view
 * sets globally and will not let a single render override. The sign-up
 * slips have a layout of their own (`layouts/slip`).
 */
export function renderDocument(view: string, data: Record<string, unknown>, layout = 'layouts/document'): string {
  return template(layout)({ ...data, body: template(view)(data) });
}

/** One view rendered alone, without the layout (a row of a streamed document). */
export function renderFragment(view: string, data: Record<string, unknown>): string {
  return template(view)(data);
}
