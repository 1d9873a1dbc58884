import { isEmail } from 'class-validator';

export interface WorkerRow {
  name: string;
  email: string;
  employeeNumber: string | null;
}

/** Header names accepted for each column: the API's, and what a Japanese spreadsheet would say. */
const COLUMNS: Record<keyof WorkerRow, string[]> = {
  name: ['name', '氏名', '名前', 'なまえ'],
  email: ['email', 'e-mail', 'mail', 'メールアドレス', 'メール'],
  employeeNumber: ['employeenumber', 'employee_number', 'employee number', '社員番号', '従業員番号', '職員番号'],
};

const clean = (s: string | undefined) => (s ?? '').normalize('NFC').replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');

/**
 * Turns parsed CSV rows into workers: each line checked on its own, so one bad
 * line is reported with its number and the others still import. Names keep
 * their full-width characters; e-mail addresses typed in full width
 * (ｙａｍａｄａ＠…) are normalized with NFKC.
 */
export function parseWorkerRows(parsed: { rows: string[][]; lines: number[] }): {
  rows: WorkerRow[];
  errors: { line: number; message: string }[];
} {
  const errors: { line: number; message: string }[] = [];
  const [header, ...body] = parsed.rows;
  if (!header) return { rows: [], errors: [{ line: 1, message: 'the file is empty; expected a header name,email,employeeNumber' }] };
  const index = {} as Record<keyof WorkerRow, number>;
  const norm = header.map((h) => clean(h).normalize('NFKC').toLowerCase());
  for (const [key, names] of Object.entries(COLUMNS) as [keyof WorkerRow, string[]][])
    index[key] = norm.findIndex((h) => names.includes(h));
  const missing = (['name', 'email'] as const).filter((k) => index[k] < 0);
  if (missing.length)
    return {
      rows: [],
      errors: [
        { line: parsed.lines[0] ?? 1, message: `header must name the columns name,email,employeeNumber (missing: ${missing.join(', ')})` },
      ],
    };

  const rows: WorkerRow[] = [];
  const seen = new Map<string, number>();
  body.forEach((cells, i) => {
    const line = parsed.lines[i + 1];
    if (cells.every((c) => clean(c) === '')) return; // Excel's trailing ",,," rows
    const name = clean(cells[index.name]);
    const email = clean(cells[index.email]).normalize('NFKC').toLowerCase();
    const employeeNumber = index.employeeNumber >= 0 ? clean(cells[index.employeeNumber]) || null : null;
    const problems: string[] = [];
    if (!name) problems.push('name is empty');
    else if (name.length > 200) problems.push('name is longer than 200 characters');
    if (!email) problems.push('email is empty');
    else if (email.length > 254 || !isEmail(email)) problems.push('email is not an e-mail address');
    if (employeeNumber && employeeNumber.length > 50) problems.push('employeeNumber is longer than 50 characters');
    if (!problems.length && seen.has(email)) problems.push(`email repeats line ${seen.get(email)}`);
    // The message names the problem, never the value: it may end up in a log or a screenshot.
    if (problems.length) return void errors.push({ line, message: problems.join('; ') });
    seen.set(email, line);
    rows.push({ name, email, employeeNumber });
  });
  return { rows, errors };
}
