import * as iconv from 'iconv-lite';
import { DomainError } from '../errors/domain-error';
import { decodeCsvBuffer, detectDelimiter, parseCsv, toCsv } from './csv';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, params: e.params, field: e.field };
    throw e;
  }
  throw new Error('not refused');
};

describe('decodeCsvBuffer', () => {
  it('decodes Shift_JIS/CP932 as written by Excel in Japan', () => {
    const text = '氏名,メールアドレス\r\n山田　太郎,yamada@example.jp\r\n髙橋　一郎,ｶﾀｶﾅ①\r\n';
    expect(decodeCsvBuffer(iconv.encode(text, 'cp932'))).toEqual({ text, encoding: 'cp932' });
  });

  it('decodes UTF-8 with and without a BOM, and strips a second BOM', () => {
    const text = '氏名,メール\r\n髙橋　一郎,ｶﾀｶﾅ①\r\n';
    expect(decodeCsvBuffer(Buffer.from(text))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeCsvBuffer(Buffer.from('\uFEFF' + text))).toEqual({ text, encoding: 'utf-8-bom' });
    expect(decodeCsvBuffer(Buffer.from('\uFEFF\uFEFFname\r\n')).text).toBe('name\r\n');
  });

  it('treats plain ASCII and empty input as UTF-8', () => {
    expect(decodeCsvBuffer(Buffer.from('a,b\n'))).toEqual({ text: 'a,b\n', encoding: 'utf-8' });
    expect(decodeCsvBuffer(Buffer.alloc(0))).toEqual({ text: '', encoding: 'utf-8' });
  });

  it('decodes the CP932 line of the issue, valid UTF-8 by accident, as ﾅｶﾆｼ ﾕｷ', () => {
    const bytes = Buffer.concat([
      Buffer.from('name,email,employeeNumber\r\n'),
      Buffer.from('c5b6c6bc20d5b7', 'hex'),
      Buffer.from(',nakanishi.y@example.jp,E-200\r\n'),
    ]);
    // What the old "valid UTF-8, else CP932" rule stored:
    expect(new TextDecoder().decode(bytes)).toContain('ŶƼ շ');
    expect(decodeCsvBuffer(bytes)).toEqual({
      text: 'name,email,employeeNumber\r\nﾅｶﾆｼ ﾕｷ,nakanishi.y@example.jp,E-200\r\n',
      encoding: 'cp932',
    });
  });

  it('decodes UTF-16 with a BOM (Excel "Unicode テキスト") and refuses it without one', () => {
    const text = '氏名\tメール\r\n𠮷田\ta@example.jp\r\n';
    expect(decodeCsvBuffer(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toEqual({
      text,
      encoding: 'utf-16le',
    });
    const be = Buffer.from(text, 'utf16le').swap16();
    expect(decodeCsvBuffer(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toEqual({ text, encoding: 'utf-16be' });
    expect(refusal(() => decodeCsvBuffer(Buffer.from('name\temail\r\n', 'utf16le')))).toEqual({
      code: 'csv.unsupported_encoding',
      params: { encoding: 'UTF-16 (without BOM)' },
      field: 'body',
    });
  });

  it('refuses broken UTF-8 after a BOM and broken UTF-16 with the line', () => {
    const utf8 = Buffer.concat([Buffer.from('\uFEFFname\r\nok\r\n'), Buffer.from([0xc3, 0x28])]);
    expect(refusal(() => decodeCsvBuffer(utf8))).toMatchObject({ code: 'csv.undecodable', params: { line: 3 } });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\r\nb\r\n', 'utf16le'), Buffer.from([0x00, 0xd8])]);
    expect(refusal(() => decodeCsvBuffer(utf16))).toMatchObject({ code: 'csv.undecodable', params: { line: 3 } });
  });

  it('refuses an Excel workbook, naming what to save instead', () => {
    expect(refusal(() => decodeCsvBuffer(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1])))).toMatchObject({
      code: 'csv.binary',
      params: { line: 1 },
    });
  });
});

describe('detectDelimiter', () => {
  it('is a tab for a header with tabs and no commas, else a comma', () => {
    expect(detectDelimiter('\r\n氏名\tメール\r\na,b\tc')).toBe('\t');
    expect(detectDelimiter('name,email\r\n')).toBe(',');
    expect(detectDelimiter('name\t"a,b"\r\n')).toBe(',');
    expect(detectDelimiter('')).toBe(',');
  });
});

describe('parseCsv (csv-parse)', () => {
  it('parses plain rows with CRLF, LF or CR row ends', () => {
    expect(parseCsv('a,b\r\nc,d\r\n').rows).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(parseCsv('a,b\nc,d').rows).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(parseCsv('a,b\rc,d\r').rows).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(parseCsv('').rows).toEqual([]);
  });

  it('keeps empty fields, including a trailing one, and rows of any length', () => {
    expect(parseCsv(',a,,\r\nx\r\n').rows).toEqual([['', 'a', '', ''], ['x']]);
    expect(parseCsv('""\r\n').rows).toEqual([['']]);
  });

  it('handles quoted commas, doubled quotes and embedded line breaks', () => {
    const text = 'name,note\r\n' + '"伊藤, 美咲","He said ""hi"""\r\n' + '"multi\r\nline","a\nb"\r\n';
    expect(parseCsv(text).rows).toEqual([
      ['name', 'note'],
      ['伊藤, 美咲', 'He said "hi"'],
      ['multi\r\nline', 'a\nb'],
    ]);
  });

  it('reports the physical line each row starts on, past multi-line fields and empty lines', () => {
    const text = [
      'name,note', // line 1
      '"山田","one\r\ntwo\r\nthree"', // lines 2-4
      '', // line 5 (skipped)
      '髙橋,"x\ny"', // lines 6-7 (LF inside)
      'c,z', // line 8
    ].join('\r\n');
    expect(parseCsv(text)).toEqual({
      rows: [
        ['name', 'note'],
        ['山田', 'one\r\ntwo\r\nthree'],
        ['髙橋', 'x\ny'],
        ['c', 'z'],
      ],
      lines: [1, 2, 6, 8],
    });
    expect(parseCsv('\r\na,b\r\n\r\n\r\nc,d\r\n\r\n').lines).toEqual([2, 5]);
  });

  it('reads tab-separated text when told', () => {
    expect(parseCsv('氏名\tメール\r\n山田\ta@example.jp\r\n', { delimiter: '\t' }).rows).toEqual([
      ['氏名', 'メール'],
      ['山田', 'a@example.jp'],
    ]);
  });

  it('keeps a stray quote inside an unquoted field', () => {
    expect(parseCsv('ab"c,5"\r\n').rows).toEqual([['ab"c', '5"']]);
  });

  it('refuses an unterminated quote with the line where its row starts', () => {
    expect(refusal(() => parseCsv('a,b\r\nc,d\r\n\r\ne,"never\r\nclosed,f\r\n'))).toEqual({
      code: 'csv.syntax',
      params: { line: 4 },
      field: 'body',
    });
  });

  it('parses 10,000 rows', () => {
    const lines = ['name,email,employeeNumber'];
    for (let i = 0; i < 10_000; i++) {
      const no = String(i).padStart(5, '0');
      lines.push(i % 10 === 0 ? `"山田, 太郎${i}","multi\r\nline ${no}",E${no}` : `山田\u3000太郎${i},user${no}@example.jp,E${no}`);
    }
    const { rows, lines: at } = parseCsv(lines.join('\r\n') + '\r\n');
    expect(rows).toHaveLength(10_001);
    expect(rows[10_000]).toEqual(['山田　太郎9999', 'user09999@example.jp', 'E09999']);
    // 1,000 of the rows span two physical lines.
    expect(at[10_000]).toBe(10_001 + 1_000);
  });
});

describe('toCsv (csv-stringify)', () => {
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
      ['"quoted"', 'line1\r\nline2\nline3', ''],
      [',', '""', ' spaced '],
    ];
    const csv = toCsv(header, rows);
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

  it('never writes a raw control character (NUL in an old row becomes U+FFFD)', () => {
    expect(toCsv(['v'], [['a\u0000b\u001b\u0085']], { bom: false })).toBe('v\r\na\ufffdb\ufffd\ufffd\r\n');
  });
});
