import type { Lang, TrainingModule } from '../content.types';
import { fnv1a, median, normalize, visibleLength } from './text';

/*
 * The cue checker (issue 14): answers every question the way a test-wise
 * guesser does, from surface cues alone, and reports how often that is right.
 * A bank that measures knowledge keeps this score low.
 *
 * Honesty: the guesser sees only what a learner sees — the question text, the
 * choice texts and whether the question is multiple-answer (the client is told
 * that) — through the CueQuestion type, which has no `correct`. Only
 * scoreCueChecker() reads the key, after the guess is made, to count it.
 * Choice order in the file is not used either (the service shuffles choices):
 * ties are broken by a hash of the choice text.
 */

/**
 * Fail thresholds, issue 14 ("Target: ≤ 35 % of questions right overall and no
 * module above 45 %; the check fails above that"). Fractions of questions
 * answered right by cues alone, per language.
 */
export const CUE_MAX_OVERALL = 0.35;
export const CUE_MAX_MODULE = 0.45;

/** A question as the guesser sees it: no key. */
export interface CueQuestion {
  readonly text: string;
  /** More than one choice is correct (the learner is told this, never how many). */
  readonly multiple: boolean;
  readonly choices: readonly { readonly id: string; readonly text: string }[];
}

/** The named cues. Each is a small rule a test-wise guesser applies. */
export type CueName =
  /** Single answer: the longest choice is the key (the issue measured 81 % ja, 90 % en). */
  | 'longest'
  /** A choice much longer than the others is a key; one much shorter is a distractor. */
  | 'length-outlier'
  /** Permissive wording ("…てよい", "no need", "it is fine") marks a wrong choice. */
  | 'permissive'
  /** Absolute or restrictive wording ("一切", "always", "only") marks a wrong choice. */
  | 'absolute'
  /** Shortcut wording (to save effort, just in case, keep it as it is, at home, without telling anyone) marks a wrong choice. */
  | 'shortcut'
  /** Prudent wording (report to the person responsible, consult, at once, the town's instructions) marks a key. */
  | 'prudent'
  /** Multiple answer: choose every choice that has no permissive or absolute wording. */
  | 'good-sounding-set';

/**
 * Wording lists, derived from the bank as it was when issue 14 was filed
 * (permissive wording in 126 wrong choices and almost never in a key). Each
 * pattern runs on the NFKC-normalized, lower-cased text.
 */
export const CUE_WORDING: Readonly<Record<Lang, Readonly<Record<'permissive' | 'absolute' | 'shortcut' | 'prudent', RegExp>>>> = {
  ja: {
    permissive:
      /てよい|でよい|てもよい|ばよい|てもいい|問題(は)?ない|不要|関係(が|は)?ない|足りる|十分(だ|である|です)|構わない|大丈夫|必要(は|が)?ない|なくてよい|自由に|免除|様子を見|報告しない|報告はしない|控える|省略できる|対象外/,
    absolute: /必ず|すべて|全て|一切|絶対|常に|だけ|のみ|しか/,
    shortcut:
      /手間を省|便利|早いので|せっかく|ついでに|困らないよう|念のため|急いで|今さら|恥ずかしい|自分の判断で|自分で|誰にも言わ|伝えない|知らせず|関与せず|待つ|まで待|問題が起きるまで|そのまま|無視|なかったことに|個人の|私物|自宅|優先|楽にな|多めに|覚えやすい|忘れない/,
    prudent: /責任者|相談|町の指示|指示に従|直ちに|速やかに|すぐに|確認する|確認して|断る|報告する|報告し、/,
  },
  en: {
    permissive:
      /\bmay\b|\bno need\b|\bnot need|\bneedn'?t\b|\bunnecessary\b|\bis fine\b|\bare fine\b|\bno problem\b|\bnot a problem\b|\benough\b|does not matter|doesn'?t matter|nothing to do with|not (?:our|my|their|a) concern|\bfree(?:ly)? to\b|\bfreely\b|\bwait\b|\blater\b|do not report|don'?t report|\bexempt\b|\bcan skip\b|\bok\b|\bokay\b/,
    absolute: /\balways\b|\bnever\b|\bonly\b|\bjust\b|\ball\b|\bevery\b|\bentirely\b|\bat all\b/,
    shortcut:
      /\bsave (?:time|effort|trouble)\b|convenien|\bquick|\bhandy\b|just in case|\bhurry\b|without telling|\bkeep it\b|\bput off\b|postpone|\bas (?:it|they) (?:is|are)\b|\bignore|\bas if\b|\beasier\b|\bat home\b|\bremember\b|\bforget\b|\byourself\b|personal account|\bprivate\b/,
    prudent:
      /\bresponsible\b|\bsupervisor\b|\bconsult|\binstructions?\b|\bimmediately\b|\bat once\b|\bpromptly\b|\bstraight away\b|\bcheck\b|\bconfirm\b|\brefuse\b|\bdecline\b|\breport (?:it|this|to)\b/,
  },
};

/** Weights of the cues in a choice's score. */
const WEIGHT = {
  /** Length relative to the longest choice, 0–1, times this. */
  length: 2,
  /** A choice at least LONG_OUTLIER × the median of the others. */
  longOutlier: 1,
  /** A choice at most SHORT_OUTLIER × the median of the others. */
  shortOutlier: -0.5,
  permissive: -3,
  absolute: -1,
  shortcut: -2,
  prudent: 1.5,
} as const;
const WRONG_SIGNS = new Set<CueName>(['permissive', 'absolute', 'shortcut']);
const LONG_OUTLIER = 1.4;
const SHORT_OUTLIER = 0.6;

/** What the guesser saw in one choice. */
export interface ChoiceCues {
  readonly id: string;
  readonly length: number;
  readonly cues: readonly CueName[];
  readonly score: number;
}

/** The guess for one question: the chosen ids (sorted) and the cues behind it. */
export interface CueGuess {
  readonly ids: readonly string[];
  readonly cues: readonly CueName[];
  readonly choices: readonly ChoiceCues[];
}

/** The cues of each choice and its score. */
export function choiceCues(question: CueQuestion, lang: Lang): ChoiceCues[] {
  const lengths = question.choices.map((c) => visibleLength(c.text));
  const longest = Math.max(...lengths, 1);
  const words = CUE_WORDING[lang];
  return question.choices.map((c, i) => {
    const text = normalize(c.text);
    const others = lengths.filter((_, j) => j !== i);
    const mid = others.length ? median(others) : lengths[i];
    const cues: CueName[] = [];
    let score = (WEIGHT.length * lengths[i]) / longest;
    if (lengths[i] === longest && lengths.filter((l) => l === longest).length === 1) cues.push('longest');
    if (mid > 0 && lengths[i] >= LONG_OUTLIER * mid) {
      cues.push('length-outlier');
      score += WEIGHT.longOutlier;
    } else if (mid > 0 && lengths[i] <= SHORT_OUTLIER * mid) {
      cues.push('length-outlier');
      score += WEIGHT.shortOutlier;
    }
    if (words.permissive.test(text)) {
      cues.push('permissive');
      score += WEIGHT.permissive;
    }
    if (words.absolute.test(text)) {
      cues.push('absolute');
      score += WEIGHT.absolute;
    }
    if (words.shortcut.test(text)) {
      cues.push('shortcut');
      score += WEIGHT.shortcut;
    }
    if (words.prudent.test(text)) {
      cues.push('prudent');
      score += WEIGHT.prudent;
    }
    return { id: c.id, length: lengths[i], cues, score };
  });
}

/** Highest score first; ties by length, then by a hash of the text (never by file order). */
function ranked(question: CueQuestion, cues: readonly ChoiceCues[]): ChoiceCues[] {
  const hash = new Map(question.choices.map((c) => [c.id, fnv1a(c.text)]));
  return [...cues].sort((a, b) => b.score - a.score || b.length - a.length || hash.get(a.id)! - hash.get(b.id)!);
}

/**
 * The test-wise guess: single answer, the best-scoring choice (length, outliers,
 * wording); multiple answer, every choice without permissive or absolute
 * wording, topped up to two by score and, when that would be every choice,
 * without the weakest one only if it is a short outlier.
 */
export function guess(question: CueQuestion, lang: Lang): CueGuess {
  const cues = choiceCues(question, lang);
  const order = ranked(question, cues);
  if (!question.multiple) {
    const best = order[0];
    return { ids: best ? [best.id] : [], cues: best ? [...best.cues] : [], choices: cues };
  }
  const good = order.filter((c) => !c.cues.some((n) => WRONG_SIGNS.has(n)));
  const picked = [...good];
  for (const c of order) if (picked.length < 2 && !picked.includes(c)) picked.push(c);
  const used = new Set<CueName>(['good-sounding-set']);
  for (const c of cues) for (const n of c.cues) if (n !== 'longest') used.add(n);
  return { ids: picked.map((c) => c.id).sort(), cues: [...used], choices: cues };
}

/** One question's result in one language. */
export interface CueResult {
  readonly moduleId: string;
  readonly questionId: string;
  readonly lang: Lang;
  readonly multiple: boolean;
  readonly guessed: readonly string[];
  readonly right: boolean;
}

export interface CueTally {
  readonly right: number;
  readonly total: number;
}

export interface CueReport {
  readonly results: readonly CueResult[];
  /** Per module, in the order given, and per language. */
  readonly modules: readonly { readonly id: string; readonly score: Readonly<Record<Lang, CueTally>> }[];
  readonly overall: Readonly<Record<Lang, CueTally>>;
}

/** The question as the guesser sees it in one language. The key is left behind here. */
export function cueView(question: TrainingModule['questions'][number], lang: Lang): CueQuestion {
  return {
    text: question.text[lang],
    multiple: question.multiple,
    choices: question.choices.map((c) => ({ id: c.id, text: c.text[lang] })),
  };
}

/**
 * Guesses every question of every module in both languages and counts the
 * guesses that equal the key exactly (for multiple answer: the same set).
 */
export function scoreCueChecker(modules: readonly Pick<TrainingModule, 'id' | 'questions'>[]): CueReport {
  const results: CueResult[] = [];
  const perModule = modules.map((m) => {
    const score = { ja: { right: 0, total: 0 }, en: { right: 0, total: 0 } };
    for (const q of m.questions) {
      const key = q.choices
        .filter((c) => c.correct)
        .map((c) => c.id)
        .sort();
      for (const lang of ['ja', 'en'] as const) {
        const g = guess(cueView(q, lang), lang);
        const right = g.ids.length === key.length && g.ids.every((id, i) => id === key[i]);
        results.push({ moduleId: m.id, questionId: q.id, lang, multiple: q.multiple, guessed: g.ids, right });
        score[lang].total++;
        if (right) score[lang].right++;
      }
    }
    return { id: m.id, score };
  });
  const overall = (lang: Lang): CueTally => ({
    right: perModule.reduce((n, m) => n + m.score[lang].right, 0),
    total: perModule.reduce((n, m) => n + m.score[lang].total, 0),
  });
  return { results, modules: perModule, overall: { ja: overall('ja'), en: overall('en') } };
}

/** right / total, 0 for an empty tally. */
export function ratio(t: CueTally): number {
  return t.total ? t.right / t.total : 0;
}

/** Why the cue score fails issue 14's targets, overall (no moduleId) or per module; empty when it passes. */
export function cueProblems(report: CueReport): { moduleId?: string; lang: Lang; message: string }[] {
  const problems: { moduleId?: string; lang: Lang; message: string }[] = [];
  const pct = (t: CueTally) => `${(100 * ratio(t)).toFixed(1)} % (${t.right}/${t.total})`;
  for (const lang of ['ja', 'en'] as const) {
    if (ratio(report.overall[lang]) > CUE_MAX_OVERALL)
      problems.push({
        lang,
        message: `overall (${lang}): cues alone answer ${pct(report.overall[lang])} right; at most ${CUE_MAX_OVERALL * 100} % allowed`,
      });
    for (const m of report.modules)
      if (ratio(m.score[lang]) > CUE_MAX_MODULE)
        problems.push({
          moduleId: m.id,
          lang,
          message: `${lang}: cues alone answer ${pct(m.score[lang])} right; at most ${CUE_MAX_MODULE * 100} % per module`,
        });
  }
  return problems;
}
