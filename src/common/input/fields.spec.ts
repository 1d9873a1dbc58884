import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EnrollDto, LoginDto } from '../../auth/dto/login.dto';
import { CreateWorkerDto } from '../../workers/dto/worker.dto';

const SRC = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

function check<T extends object>(cls: new () => T, input: Record<string, unknown>) {
  const value = plainToInstance(cls, input);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  return { value, failed: Object.fromEntries(errors.map((e) => [e.property, Object.keys(e.constraints ?? {})])) };
}

describe('field rules of the DTOs', () => {
  it('puts IsPlainText on every string field of every DTO (a new field cannot forget it)', () => {
    // The request DTOs: every class exported from a dto/ folder, and the paging query.
    const dtos = new Set<unknown>();
    for (const f of files(SRC).filter((p) => /[/\\]dto[/\\][^/\\]+\.ts$/.test(p) || p.endsWith('pagination.ts')))
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- every DTO file on disk, found at run time
      for (const exported of Object.values(require(f) as Record<string, unknown>)) if (typeof exported === 'function') dtos.add(exported);
    const storage = getMetadataStorage() as unknown as {
      validationMetadatas: Map<{ name: string }, { propertyName: string; name?: string; each?: boolean }[]>;
    };
    const missing: string[] = [];
    let strings = 0;
    for (const [target, metas] of storage.validationMetadatas) {
      if (!dtos.has(target)) continue;
      for (const m of metas.filter((x) => x.name === 'isString')) {
        strings++;
        const plain = metas.find((x) => x.propertyName === m.propertyName && x.name === 'isPlainText');
        if (!plain || !!plain.each !== !!m.each) missing.push(`${target.name}.${m.propertyName}`);
      }
    }
    expect(strings).toBeGreaterThan(15);
    expect(missing).toEqual([]);
  });

  it('refuses NUL, LF and TAB in a worker name, naming the field', () => {
    for (const c of ['\u0000', '\n', '\t'])
      expect(check(CreateWorkerDto, { name: `山田${c}太郎`, email: 'a@example.jp' }).failed).toEqual({ name: ['isPlainText'] });
  });

  it('keeps a name as written, trimmed: half-width katakana and compatibility ideographs unchanged', () => {
    const name = '\ufa1b田　ﾅｶﾆｼ ﾕｷ'; // 福 U+FA1B, which NFC would turn into U+798F
    const { value, failed } = check(CreateWorkerDto, { name: `\u3000${name} `, email: 'a@example.jp', employeeNumber: 'Ｅ０００１' });
    expect(failed).toEqual({});
    expect(value).toEqual(expect.objectContaining({ name, employeeNumber: 'E0001' }));
  });

  it('normalises a full-width e-mail address at sign-in', () => {
    const { value, failed } = check(LoginDto, { email: ' ＹＡＭＡＤＡ＠ｅｘａｍｐｌｅ．ｊｐ ', password: 'x' });
    expect(failed).toEqual({});
    expect(value.email).toBe('yamada@example.jp');
    expect(check(LoginDto, { email: '\ud800', password: 'x' }).failed).toEqual({ email: ['isPlainText', 'isEmail'] });
  });

  it('reads an enrollment code typed with ー', () => {
    const { value, failed } = check(EnrollDto, { enrollmentCode: 'abcdーefghーjkmnーpqrsーtvwx', password: 'a-long-password' });
    expect(failed).toEqual({});
    expect(value.enrollmentCode).toBe('ABCDEFGHJKMNPQRSTVWX');
  });
});
