import { isEmailAddress, isFurigana, normalizeEmail, normalizeFurigana, normalizeIdentifier, normalizeTypedCode } from './normalize';
import { forbiddenCharacterAt, hasLoneSurrogate, isPlainText } from './unicode';

describe('normalizeEmail', () => {
  it('turns a full-width address into the ASCII one, trimmed and lower-cased', () => {
    expect(normalizeEmail('ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ')).toBe('yamada@example.jp');
    expect(normalizeEmail('\u3000 Yamada.Taro@Example.JP \t')).toBe('yamada.taro@example.jp');
  });

  it('reads the ideographic full stop in the domain as a dot (UTS #46)', () => {
    expect(normalizeEmail('yamada@example。jp')).toBe('yamada@example.jp');
    expect(normalizeEmail('yamada@example｡co｡jp')).toBe('yamada@example.co.jp');
  });

  it('folds the local part too (documented choice: docs/inputs.md)', () => {
    expect(normalizeEmail('Taro.YAMADA@example.jp')).toBe('taro.yamada@example.jp');
  });

  it('leaves what it cannot normalise for the validator to refuse', () => {
    expect(normalizeEmail(42)).toBe(42);
    expect(normalizeEmail('\ud800@example.jp')).toBe('\ud800@example.jp');
  });
});

describe('isEmailAddress', () => {
  it('accepts addresses and refuses the rest without throwing', () => {
    expect(isEmailAddress('yamada@example.jp')).toBe(true);
    expect(isEmailAddress('山田@example.jp')).toBe(true);
    expect(isEmailAddress('not-an-email')).toBe(false);
    expect(isEmailAddress('\ud800')).toBe(false); // validator's isEmail threw URIError on this
    expect(isEmailAddress(`${'a'.repeat(250)}@x.jp`)).toBe(false);
    expect(isEmailAddress(null)).toBe(false);
  });
});

describe('normalizeTypedCode', () => {
  const code = 'ABCD-EFGH-JKMN-PQRS-TVWX';
  const compact = 'ABCDEFGHJKMNPQRSTVWX';

  it.each([
    ['ー U+30FC (katakana prolonged sound mark)', 'ー'],
    ['ｰ U+FF70 (half-width)', 'ｰ'],
    ['一 U+4E00 (kanji one: a Japanese IME’s long dash)', '\u4e00'],
    ['⼀ U+2F00 (Kangxi radical one)', '\u2f00'],
    ['㇐ U+31D0 (CJK stroke)', '\u31d0'],
    ['ㅡ U+3161 (Hangul vowel eu)', '\u3161'],
    ['─ U+2500 (box drawing, the IME’s 罫線)', '\u2500'],
    ['━ U+2501 (heavy box drawing)', '\u2501'],
    ['⎯ U+23AF (horizontal line extension)', '\u23af'],
    ['‐ U+2010', '\u2010'],
    ['‑ U+2011', '\u2011'],
    ['‒ U+2012', '\u2012'],
    ['– U+2013', '\u2013'],
    ['— U+2014', '\u2014'],
    ['― U+2015', '\u2015'],
    ['⸺ U+2E3A (two-em dash)', '\u2e3a'],
    ['〜 U+301C (wave dash)', '\u301c'],
    ['〰 U+3030 (wavy dash)', '\u3030'],
    ['゠ U+30A0 (katakana double hyphen)', '\u30a0'],
    ['﹘ U+FE58 (small em dash)', '\ufe58'],
    ['﹣ U+FE63 (small hyphen-minus)', '\ufe63'],
    ['− U+2212 (minus sign)', '\u2212'],
    ['⁻ U+207B (superscript minus)', '\u207b'],
    ['➖ U+2796 (heavy minus sign)', '\u2796'],
    ['˗ U+02D7 (modifier letter minus)', '\u02d7'],
    ['⁃ U+2043 (hyphen bullet)', '\u2043'],
    ['－ U+FF0D (full-width hyphen-minus)', '\uff0d'],
    ['～ U+FF5E (the Windows IME’s tilde)', '\uff5e'],
    ['~ U+007E (tilde)', '~'],
    ['∼ U+223C (tilde operator)', '\u223c'],
    ['⁓ U+2053 (swung dash)', '\u2053'],
    ['˜ U+02DC (small tilde)', '\u02dc'],
    ['¯ U+00AF (macron)', '\u00af'],
    ['‾ U+203E (overline)', '\u203e'],
    ['・ U+30FB (katakana middle dot)', '\u30fb'],
    ['･ U+FF65 (half-width middle dot)', '\uff65'],
    ['a space', ' '],
    ['an ideographic space', '\u3000'],
    ['a tab (a cell pasted from Excel)', '\t'],
    ['nothing', ''],
    // Invisible characters, alone or beside a dash.
    ['a soft hyphen U+00AD', '\u00ad'],
    ['a zero-width space U+200B', '\u200b'],
    ['a zero-width non-joiner U+200C', '\u200c'],
    ['a zero-width joiner U+200D', '\u200d'],
    ['a word joiner U+2060', '\u2060'],
    ['a BOM / zero-width no-break space U+FEFF', '\ufeff'],
    ['a combining grapheme joiner U+034F', '\u034f'],
    ['a dash and a zero-width space', '-\u200b'],
    ['一 between zero-width joiners', '\u200d\u4e00\u200d'],
  ])('reads a code typed with %s between the groups', (_what, dash) => {
    expect(normalizeTypedCode(code.replace(/-/g, dash))).toBe(compact);
  });

  it('drops invisible characters inside a group too', () => {
    expect(normalizeTypedCode('\ufeffAB\u200bCD\u00ad-EF\u2060GH\n')).toBe('ABCDEFGH');
  });

  it('leaves a code holding a control or bidi character as typed, for the field rule to refuse it by name', () => {
    for (const bad of ['ABCD\u0000EFGH', 'ABCD\u001bEFGH', 'ABCD\u202eEFGH', 'ABCD\u2066EFGH']) expect(normalizeTypedCode(bad)).toBe(bad);
  });

  it('reads full width, lower case and Crockford look-alikes (I, L → 1; O → 0)', () => {
    expect(normalizeTypedCode('ａｂｃｄ－ｅｆｇｈ')).toBe('ABCDEFGH');
    expect(normalizeTypedCode('il1o0')).toBe('11100');
  });

  it('leaves over-long or ill-formed input for the length rule', () => {
    const long = 'A'.repeat(200);
    expect(normalizeTypedCode(long)).toBe(long);
    expect(normalizeTypedCode('\udc00AB')).toBe('\udc00AB');
  });
});

describe('normalizeIdentifier', () => {
  it('is NFKC and trimmed', () => {
    expect(normalizeIdentifier(' ７００００１２０５０００２ ')).toBe('7000012050002');
    expect(normalizeIdentifier('Ｅ－０００１')).toBe('E-0001');
  });
});

describe('text characters', () => {
  it('finds lone surrogates but not pairs', () => {
    expect(hasLoneSurrogate('\ud800')).toBe(true);
    expect(hasLoneSurrogate('a\udc00b')).toBe(true);
    expect(hasLoneSurrogate('𠮷田')).toBe(false);
  });

  it('refuses C0, DEL, C1 and bidi controls; multi-line text may have TAB, CR and LF', () => {
    for (const c of ['\u0000', '\u0009', '\u000a', '\u001b', '\u007f', '\u0085', '\u009f', '\u2028', '\u202e', '\u2066'])
      expect([c, isPlainText(`山田${c}太郎`)]).toEqual([c, false]);
    expect(isPlainText('一行目\r\n二行目\tタブ', true)).toBe(true);
    expect(isPlainText('NUL\u0000', true)).toBe(false);
    // The line and paragraph separators are not line breaks, not even in a multi-line field.
    for (const c of ['\u2028', '\u2029']) {
      expect([c, isPlainText(`一行目${c}二行目`, true)]).toEqual([c, false]);
      expect(forbiddenCharacterAt(`ab${c}`, true)).toBe(2);
    }
    expect(forbiddenCharacterAt('ab\u0000')).toBe(2);
    expect(isPlainText('ﾅｶﾆｼ ﾕｷ　髙﨑①～∥')).toBe(true);
  });
});

describe('フリガナ (normalizeFurigana, isFurigana)', () => {
  it('turns hiragana and half-width katakana into full-width katakana, one space between parts', () => {
    expect(normalizeFurigana('やまだ　たろう')).toBe('ヤマダ タロウ');
    expect(normalizeFurigana(' ﾔﾏﾀﾞ  ﾀﾛｳ ')).toBe('ヤマダ タロウ');
    expect(normalizeFurigana('ゆうこ・でゅぼあ')).toBe('ユウコ・デュボア');
    expect(normalizeFurigana('サイトウ')).toBe('サイトウ');
    expect(isFurigana(normalizeFurigana('やまだ　たろう'))).toBe(true);
    expect(isFurigana('ヴァイオリン')).toBe(true);
  });

  it('refuses kanji, Latin letters and digits', () => {
    for (const bad of ['山田', 'yamada', 'ヤマダ1', '', 'ヤマダ\u0000']) expect(isFurigana(normalizeFurigana(bad))).toBe(false);
    expect(normalizeFurigana(42)).toBe(42);
  });
});
