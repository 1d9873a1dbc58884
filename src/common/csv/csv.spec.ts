import { readFileSync } from 'fs';
import { join } from 'path';
import * as iconv from 'iconv-lite';
import { CsvSyntaxError, decodeCsvBuffer, parseCsv, toCsv } from './csv';

const FIXTURES = join(__dirname, '../../../test/fixtures');

describe('decodeCsvBuffer', () => {
  it('decodes Shift_JIS/CP932 as written by Excel in Japan', () => {
    const text = '氏名,メールアドレス\r\n山田　太郎,yamada@example.jp\r\n髙橋　一郎,ｶﾀｶﾅ①\r\n';
    const result = decodeCsvBuffer(iconv.encode(text, 'cp932'));
    expect(result).toEqual({ text, encoding: 'cp932' });
    expect(parseCsv(result.text).rows).toEqual([
      ['氏名', 'メールアドレス'],
      ['山田　太郎', 'yamada@example.jp'],
      ['髙橋　一郎', 'ｶﾀｶﾅ①'],
    ]);
  });

  it('decodes UTF-8 without a BOM', () => {
    const text = '氏名,メール\r\n髙橋　一郎,ｶﾀｶﾅ①\r\n';
    expect(decodeCsvBuffer(Buffer.from(text, 'utf-8'))).toEqual({
      text,
      encoding: 'utf-8',
    });
  });

  it('strips the BOM from UTF-8 (Excel "CSV UTF-8")', () => {
    const text = 'name,email\r\n山田　太郎,yamada@example.jp\r\n';
    const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf-8')]);
    expect(decodeCsvBuffer(buf)).toEqual({ text, encoding: 'utf-8-bom' });
  });

  it('strips a BOM that is still present after decoding', () => {
    const doubled = Buffer.from('\uFEFF\uFEFFname\r\n', 'utf-8');
    expect(decodeCsvBuffer(doubled).text).toBe('name\r\n');
  });

  it('treats plain ASCII and empty input as UTF-8', () => {
    expect(decodeCsvBuffer(Buffer.from('a,b\n'))).toEqual({
      text: 'a,b\n',
      encoding: 'utf-8',
    });
    expect(decodeCsvBuffer(Buffer.alloc(0))).toEqual({
      text: '',
      encoding: 'utf-8',
    });
  });
});

describe('parseCsv', () => {
  it('parses plain rows with CRLF, LF and CR row ends', () => {
    expect(parseCsv('a,b\r\nc,d\ne,f\rg,h').rows).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
  });

  it('does not produce an empty row for a trailing newline', () => {
    expect(parseCsv('a,b\r\n').rows).toEqual([['a', 'b']]);
    expect(parseCsv('a,b\n').rows).toEqual([['a', 'b']]);
    expect(parseCsv('').rows).toEqual([]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(parseCsv(',a,,\r\n').rows).toEqual([['', 'a', '', '']]);
    expect(parseCsv('""\r\n').rows).toEqual([['']]);
  });

  it('handles quoted commas, doubled quotes and embedded newlines', () => {
    const text = 'name,note\r\n' + '"伊藤, 美咲","He said ""hi"""\r\n' + '"multi\r\nline","a\nb\rc"\r\n';
    expect(parseCsv(text).rows).toEqual([
      ['name', 'note'],
      ['伊藤, 美咲', 'He said "hi"'],
      ['multi\r\nline', 'a\nb\rc'],
    ]);
  });

  it('reports the physical line each row starts on', () => {
    const text = [
      'name,note', // line 1
      '"a","one\r\ntwo\r\nthree"', // lines 2-4
      '', // line 5 (skipped)
      'b,"x\ny"', // lines 6-7 (LF inside)
      'c,z', // line 8
    ].join('\r\n');
    const { rows, lines } = parseCsv(text);
    expect(rows.map((r) => r[0])).toEqual(['name', 'a', 'b', 'c']);
    expect(lines).toEqual([1, 2, 6, 8]);
  });

  it('skips completely empty lines but keeps counting them', () => {
    const { rows, lines } = parseCsv('\r\na,b\r\n\r\n\n\rc,d\r\n\r\n');
    expect(rows).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(lines).toEqual([2, 6]);
  });

  it('throws CsvSyntaxError with the line where an unterminated quote opens', () => {
    const text = 'a,b\r\nc,d\r\n\r\ne,"never\r\nclosed,f\r\n';
    let error: unknown;
    try {
      parseCsv(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(4);
    expect((error as CsvSyntaxError).message).toBe('line 4: unterminated quoted field');
  });

  it('treats a stray quote inside an unquoted field literally', () => {
    expect(parseCsv('ab"c,5"\r\n').rows).toEqual([['ab"c', '5"']]);
  });

  it('keeps text after a closing quote literally, as Excel does', () => {
    expect(parseCsv('"ab"cd,e\r\n').rows).toEqual([['abcd', 'e']]);
  });

  it('ignores a leading BOM so the first header name is clean', () => {
    expect(parseCsv('\uFEFFname,email\r\n').rows).toEqual([['name', 'email']]);
  });

  it('parses 10,000 rows', () => {
    const lines = ['name,email,employeeNumber'];
    for (let i = 0; i < 10_000; i++) {
      const no = String(i).padStart(5, '0');
      lines.push(i % 10 === 0 ? `"山田, 太郎${i}","multi\r\nline ${no}",E${no}` : `山田\u3000太郎${i},user${no}@example.jp,E${no}`);
    }
    const { rows, lines: at } = parseCsv(lines.join('\r\n') + '\r\n');
    expect(rows).toHaveLength(10_001);
    expect(rows.slice(1)).toHaveLength(10_000);
    expect(rows[10_000]).toEqual(['山田　太郎9999', 'user09999@example.jp', 'E09999']);
    // 1,000 of the rows span two physical lines.
    expect(at[10_000]).toBe(10_001 + 1_000);
  });
});

describe('toCsv', () => {
  it('writes CRLF records with a BOM by default', () => {
    expect(toCsv(['a', 'b'], [['1', 2]])).toBe('\uFEFFa,b\r\n1,2\r\n');
    expect(toCsv(['a'], [], { bom: false })).toBe('a\r\n');
  });

  it('writes null and undefined as empty fields', () => {
    expect(toCsv(['a', 'b', 'c'], [[null, 'x', undefined]], { bom: false })).toBe('a,b,c\r\n,x,\r\n');
  });

  it('quotes fields with commas, quotes, CR or LF', () => {
    expect(toCsv(['v'], [['a,b'], ['say "hi"'], ['a\rb'], ['a\nb']], { bom: false })).toBe(
      'v\r\n"a,b"\r\n"say ""hi"""\r\n"a\rb"\r\n"a\nb"\r\n',
    );
  });

  it('round-trips tricky values through parseCsv', () => {
    const header = ['氏名', 'メモ', '番号'];
    const rows = [
      ['山田　太郎', '髙橋, ｶﾀｶﾅ ①', 'E0001'],
      ['"quoted"', 'line1\r\nline2\nline3\rline4', ''],
      ['', '', ''],
      [''],
      [',', '""', ' spaced '],
    ];
    const csv = toCsv(header, rows);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(parseCsv(csv.slice(1)).rows).toEqual([header, ...rows]);
  });

  it('neutralises formula injection with a leading apostrophe', () => {
    const values = ['=HYPERLINK("http://evil.example")', '+cmd', '-1+2', '@SUM(A1)', '\tx', '\rx'];
    const { rows } = parseCsv(
      toCsv(
        ['v'],
        values.map((v) => [v]),
        { bom: false },
      ),
    );
    expect(rows.slice(1).map((r) => r[0])).toEqual(values.map((v) => `'${v}`));
  });

  it('leaves plain numbers and ordinary text alone', () => {
    const csv = toCsv(['v'], [['-12'], ['+81'], ['-3.5'], [-7], [-1e-7], ['a=b'], ['山田']], { bom: false });
    expect(
      parseCsv(csv)
        .rows.slice(1)
        .map((r) => r[0]),
    ).toEqual(['-12', '+81', '-3.5', '-7', '-1e-7', 'a=b', '山田']);
  });
});

describe('workers-sjis.csv fixture', () => {
  it('decodes and parses to the expected rows', () => {
    const { text, encoding } = decodeCsvBuffer(readFileSync(join(FIXTURES, 'workers-sjis.csv')));
    expect(encoding).toBe('cp932');
    const { rows, lines } = parseCsv(text);
    const [header, ...body] = rows;
    expect(header).toEqual(['name', 'email', 'employeeNumber']);
    const actual = body.map(([name, email, employeeNumber]) => ({
      name,
      email,
      employeeNumber,
    }));
    const expected: unknown = JSON.parse(readFileSync(join(FIXTURES, 'workers-sjis.expected.json'), 'utf-8'));
    expect(actual).toEqual(expected);
    expect(lines).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
