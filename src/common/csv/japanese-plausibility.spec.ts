import fc from 'fast-check';
import * as iconv from 'iconv-lite';
import { toHankanaCase } from 'encoding-japanese';
import { decodeCsvBuffer } from './decode';
import { DomainError } from '../errors/domain-error';
import { clearlyBetter, implausibility, readsAsEucKana } from './japanese-plausibility';

/*
 * The plausibility rule must never store a name garbled: each name below, in a
 * BOM-less file written in CP932 or UTF-8, is read right or refused, never misread.
 */
const KANJI = [
  '山田 太郎',
  '佐藤 花子',
  '鈴木 一郎',
  '高橋 美咲',
  '伊藤 さくら',
  '渡辺 翔',
  '中村 陽菜',
  '小林 大輔',
  '髙橋 二郎',
  '山﨑 三郎',
  '中西 由紀',
  '能登 表',
];
const KANA = [
  'ヤマダ タロウ',
  'サトウ ハナコ',
  'スズキ イチロウ',
  'ナカニシ ユキ',
  'イノウエ リン',
  'シミズ アン',
  'ムカイ ミチ',
  'ツジ メグミ',
];
const LATIN = [
  'José Silva',
  'João Pereira',
  'Nguyễn Văn An',
  'Trần Thị Hương',
  'Lê Văn Trương',
  'Phạm Đức Anh',
  'María González',
  'Łukasz Wiśniewski',
  'Müller Jürgen',
];
const CYRILLIC = ['Иван Петров', 'Ольга Смирнова'];

type Outcome = 'right' | 'refused' | 'wrong';
function outcome(names: string[], encoding: 'cp932' | 'utf8'): Outcome {
  const text = 'name,email\r\n' + names.map((n, i) => `${n},u${i}@example.jp`).join('\r\n') + '\r\n';
  try {
    return decodeCsvBuffer(encoding === 'cp932' ? iconv.encode(text, 'cp932') : Buffer.from(text)).text === text ? 'right' : 'wrong';
  } catch {
    return 'refused';
  }
}

describe('Japanese plausibility', () => {
  it('costs ordinary Japanese and Latin-script names little, mojibake much', () => {
    expect(implausibility('山田 太郎')).toBe(4);
    expect(implausibility('ﾅｶﾆｼ ﾕｷ')).toBe(12);
    expect(implausibility('ŶƼ շ')).toBe(28); // the line read as UTF-8: Latin Extended-A/B and Armenian, no ASCII letter
    expect(implausibility('José')).toBe(3);
    expect(implausibility('Josﾃｩ')).toBeGreaterThanOrEqual(12);
    expect(clearlyBetter(12, 28)).toBe('a');
    expect(clearlyBetter(4, 8)).toBeNull();
  });

  it.each([
    ['kanji', KANJI],
    ['katakana', KANA],
    ['half-width katakana', KANA.map((n) => toHankanaCase(n))],
    ['Cyrillic', CYRILLIC],
  ])('reads %s names right in CP932 and in UTF-8, alone or together', (_kind, names) => {
    for (const encoding of ['cp932', 'utf8'] as const) {
      expect(outcome(names, encoding)).toBe('right');
      for (const name of names) expect([name, outcome([name], encoding)]).toEqual([name, 'right']);
    }
  });

  it('reads Latin-script names right in UTF-8', () => {
    expect(outcome(LATIN, 'utf8')).toBe('right');
    for (const name of LATIN) expect([name, outcome([name], 'utf8')]).toEqual([name, 'right']);
  });

  it('never misreads generated names (fast-check, seeded)', () => {
    const halfwidth = Array.from({ length: 0xff9f - 0xff66 + 1 }, (_, i) => String.fromCharCode(0xff66 + i));
    const japanese = [
      ...'あいうえおかきくけこさしすせそたちなにのはまやらわんアイウエオカキクケコサシスセソタチナニノハマヤラワン山田中川佐藤鈴木高橋伊渡辺髙﨑',
    ];
    const ascii = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'];
    const accented = [...'áàảãạăắằâấầéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồơớờúùủũụưứừýỳđĐçñüöäß'];
    const word = (chars: string[]) => fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
    // A Latin-script word has at least one ASCII letter (Trương, José); a lone accented letter is an initial.
    const latinWord = fc.oneof(
      fc.tuple(word(ascii), fc.array(fc.constantFrom(...accented, ...ascii), { maxLength: 6 })).map(([a, b]) => a + b.join('')),
      fc.constantFrom(...accented).map((c) => `${c}.`),
    );
    const name = (w: fc.Arbitrary<string>) => fc.array(w, { minLength: 1, maxLength: 3 }).map((a) => a.join(' '));
    const names = (w: fc.Arbitrary<string>) => fc.array(name(w), { minLength: 1, maxLength: 4 });
    const settings = { numRuns: 300, seed: 15 };
    fc.assert(
      fc.property(names(word(halfwidth)), (n) => outcome(n, 'cp932') !== 'wrong' && outcome(n, 'utf8') !== 'wrong'),
      settings,
    );
    fc.assert(
      fc.property(names(word(japanese)), (n) => outcome(n, 'cp932') !== 'wrong' && outcome(n, 'utf8') !== 'wrong'),
      settings,
    );
    fc.assert(
      fc.property(names(latinWord), (n) => outcome(n, 'utf8') !== 'wrong'),
      settings,
    );
  });

  /*
   * EUC-JP half-width katakana read as CP932 are kanji of the 0x8E row (芝叱屡湿 遮執 for ﾅｶﾆｼ ﾕｷ):
   * a file of such names is refused naming the line, never stored as those kanji.
   */
  const HALFWIDTH = [...KANA.map((n) => toHankanaCase(n)), 'ﾀﾅｶ ﾕｷ', 'ｵﾉ ｱｲ', 'ｶﾞｸ ｼﾞﾛｳ', 'ﾊﾟｸ ｼﾞﾕﾝ', 'ﾖｼﾀﾞ', 'ﾔﾏﾀﾞ T.', 'ｽﾐｽ John'];
  it.each(HALFWIDTH)('refuses EUC-JP half-width %s rather than store its CP932 reading', (name) => {
    const bytes = iconv.encode(`name,email\r\n${name},euc@example.jp\r\n`, 'eucjp');
    const asCp932 = iconv.decode(bytes, 'cp932').split('\r\n')[1];
    expect(readsAsEucKana(asCp932)).toBe(true);
    let refusal: unknown;
    try {
      decodeCsvBuffer(bytes);
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect({ code: (refusal as DomainError).code, params: (refusal as DomainError).params }).toEqual({
      code: 'csv.encoding_unsure',
      params: { line: 2 },
    });
  });

  it('the reviewer’s line: 芝叱屡湿 遮執 is EUC-JP ﾅｶﾆｼ ﾕｷ', () => {
    expect(readsAsEucKana('芝叱屡湿 遮執,euc9@example.jp')).toBe(true);
  });

  it('does not take real CP932 names for EUC-JP kana', () => {
    // Two such kanji or fewer pass (柴 実); a name with one kanji of another row passes (芝田, 篠原, 鹿島 実).
    for (const line of ['柴 実,a@example.jp', '芝田 太郎,b@example.jp', '篠原 紗,c@example.jp', '鹿島 実,d@example.jp', ...KANJI])
      expect([line, readsAsEucKana(line)]).toEqual([line, false]);
    expect(outcome(['柴 実', '七尾 実紗'], 'cp932')).toBe('right');
  });
});
