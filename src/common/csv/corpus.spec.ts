import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as iconv from 'iconv-lite';
import { parseWorkerRows } from '../../workers/worker-csv';
import { DomainError } from '../errors/domain-error';
import { decodeCsvBuffer, detectDelimiter, parseCsv, toCsv } from './csv';

/*
 * The CSV decoding corpus (test/fixtures/csv, described in its README.md):
 * every file with the rows the import must store from it, or the refusal it
 * must get. The e2e suite imports the same files through the API.
 */
const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'csv');

type Expected =
  | { encoding: string; delimiter: string; lines: number[]; rows: { name: string; email: string; employeeNumber: string | null }[] }
  | { refused: { code: string; params: Record<string, unknown> } };

const corpus = readdirSync(DIR)
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => {
    const file = readdirSync(DIR).find(
      (g) => !g.endsWith('.json') && !g.endsWith('.md') && g.replace(/\.[a-z]+$/, '') === f.replace('.expected.json', ''),
    )!;
    return { file, expected: JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Expected };
  });

/** What the import makes of a file: decoded, split, checked row by row. */
function read(bytes: Buffer) {
  const { text, encoding } = decodeCsvBuffer(bytes);
  const delimiter = detectDelimiter(text);
  const parsed = parseCsv(text, { delimiter });
  const { rows, errors } = parseWorkerRows(parsed);
  return {
    encoding,
    delimiter,
    lines: parsed.lines,
    rows: rows.map(({ name, email, employeeNumber }) => ({ name, email, employeeNumber })),
    errors,
  };
}

describe('the CSV decoding corpus', () => {
  it('has the files the issue asks for', () => {
    expect(corpus.map((c) => c.file)).toEqual(
      expect.arrayContaining([
        'cp932-halfwidth-kana.csv',
        'cp932-nec-ibm.csv',
        'cp932-5c-7e.csv',
        'short-cp932-one-kanji.csv',
        'utf8-bom.csv',
        'utf8-no-bom.csv',
        'utf16le-bom-unicode-text.txt',
        'cp932-quoted-newlines.csv',
      ]),
    );
  });

  it.each(corpus)('$file', ({ file, expected }) => {
    const bytes = readFileSync(join(DIR, file));
    if ('refused' in expected) {
      let refusal: unknown;
      try {
        read(bytes);
      } catch (e) {
        refusal = e;
      }
      expect(refusal).toBeInstanceOf(DomainError);
      expect({ code: (refusal as DomainError).code, params: (refusal as DomainError).params }).toEqual(expected.refused);
      return;
    }
    const got = read(bytes);
    expect(got).toEqual({ ...expected, errors: [] });
    for (const { name } of got.rows) {
      // Every decoded name round-trips: through a UTF-8 CSV export and back, and (when the file was CP932) through CP932.
      const exported = toCsv(['name', 'email'], [[name, 'x@example.jp']]);
      expect(parseCsv(decodeCsvBuffer(Buffer.from(exported)).text).rows[1][0]).toBe(name);
      if (got.encoding === 'cp932') expect(iconv.decode(iconv.encode(name, 'cp932'), 'cp932')).toBe(name);
    }
  });
});
