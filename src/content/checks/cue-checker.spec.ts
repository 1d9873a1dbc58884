import {
  CUE_MAX_MODULE,
  CUE_MAX_OVERALL,
  choiceCues,
  cueProblems,
  cueView,
  guess,
  scoreCueChecker,
  type CueQuestion,
  type CueReport,
} from './cue-checker';
import { question, trainingModule } from './test-helpers';

const single = (choices: string[]): CueQuestion => ({
  text: 'どうすべきですか。',
  multiple: false,
  choices: choices.map((text, i) => ({ id: 'abcde'[i], text })),
});
const multi = (choices: string[]): CueQuestion => ({ ...single(choices), multiple: true });

describe('cue checker', () => {
  describe('guess (single answer)', () => {
    it('takes the longest choice when nothing else tells', () => {
      const g = guess(
        single(['書類を片付ける。', '書類を施錠できるキャビネットにしまってから席を離れる。', '書類を裏返す。', '同僚に頼む。']),
        'ja',
      );
      expect(g.ids).toEqual(['b']);
      expect(g.cues).toContain('longest');
    });

    it('avoids permissive wording even in the longest choice', () => {
      const g = guess(
        single([
          '暗号化してあるので、報告しなくてよいと判断して週末まで自分で探し続ける。',
          '直ちに報告する。',
          '鞄を探す。',
          '家に帰る。',
        ]),
        'ja',
      );
      expect(g.ids).toEqual(['b']);
      expect(choiceCues(single(['報告は不要である。', 'x', 'y', 'z']), 'ja')[0].cues).toContain('permissive');
    });

    it('reads English cues', () => {
      const g = guess(
        {
          text: 'What should you do?',
          multiple: false,
          choices: [
            { id: 'a', text: 'It is encrypted, so there is no need to report it to anyone at all.' },
            { id: 'b', text: 'Report it to the person responsible at once.' },
            { id: 'c', text: 'Look for it.' },
            { id: 'd', text: 'Go home.' },
          ],
        },
        'en',
      );
      expect(g.ids).toEqual(['b']);
    });

    it('does not depend on the order of the choices in the file', () => {
      const texts = ['書類を片付ける。', '書類を施錠できる書庫に入れる。', '書類を裏返す。', '同僚に見張りを頼む。'];
      const forward = guess(single(texts), 'ja');
      const q = single(texts);
      const reversed = guess({ ...q, choices: [...q.choices].reverse() }, 'ja');
      expect(reversed.ids).toEqual(forward.ids);
    });
  });

  describe('guess (multiple answer)', () => {
    it('picks every choice without permissive, absolute or shortcut wording', () => {
      const g = guess(multi(['暗号化する。', '私物のUSBメモリを使ってよい。', '所在を管理簿で確認する。', '作業後に消去する。']), 'ja');
      expect(g.ids).toEqual(['a', 'c', 'd']);
      expect(g.cues).toContain('good-sounding-set');
    });

    it('takes at least two choices', () => {
      const g = guess(multi(['送ってよい。', '消してよい。', '渡してよい。', '見せてよい。']), 'ja');
      expect(g.ids).toHaveLength(2);
    });
  });

  it('cueView leaves the key behind', () => {
    const q = question('q01', '質問', [{ ja: 'a', correct: true }, { ja: 'b' }, { ja: 'c' }, { ja: 'd' }]);
    const view = cueView(q, 'ja');
    expect(JSON.stringify(view)).not.toContain('correct');
    expect(view.choices.map((c) => c.text)).toEqual(['a', 'b', 'c', 'd']);
  });

  describe('scoreCueChecker', () => {
    // A cue-rich question: the key is the longest and the distractors are permissive.
    const easy = (id: string) =>
      question(id, 'どうすべきですか。', [
        {
          ja: '直ちに業務責任者に報告し、町の指示に従って対応する。',
          en: 'Report to the person responsible at once and follow the instructions.',
          correct: true,
        },
        { ja: '報告は不要である。', en: 'There is no need to report.' },
        { ja: '様子を見てよい。', en: 'It is fine to wait.' },
        { ja: '削除すれば足りる。', en: 'Deleting it is enough.' },
      ]);
    // A balanced question: similar lengths and registers, the key is not the longest.
    const balanced = (id: string) =>
      question(id, 'どれが正しいですか。', [
        { ja: '月曜の朝に町の担当課へ電話する。', en: 'Phone the department on Monday morning.' },
        { ja: '金曜の夜に町の担当課へ電話する。', en: 'Phone the department on Friday night.', correct: true },
        { ja: '土曜の昼に町の窓口へ届けを出す。', en: 'File a form at the counter on Saturday noon.' },
        { ja: '日曜の夕方に社内の窓口へ連絡する。', en: 'Contact the office help desk on Sunday evening.' },
      ]);

    it('counts a guess right only when it equals the key, per module and language', () => {
      const report = scoreCueChecker([
        trainingModule('easy', [easy('q01'), easy('q02')]),
        trainingModule('fair', [balanced('q01'), balanced('q02')]),
      ]);
      expect(report.modules.map((m) => [m.id, m.score.ja.right, m.score.en.right])).toEqual([
        ['easy', 2, 2],
        ['fair', 0, 0],
      ]);
      expect(report.overall.ja).toEqual({ right: 2, total: 4 });
    });

    it('a multiple-answer guess must equal the key set', () => {
      const q = question('q01', 'すべて選んでください。', [
        { ja: '暗号化する。', correct: true },
        { ja: '所在を確認する。', correct: true },
        { ja: '作業後に消去する。' },
        { ja: '私物を使ってよい。' },
      ]);
      const report = scoreCueChecker([trainingModule('m', [q])]);
      expect(report.results.find((r) => r.lang === 'ja')).toMatchObject({ multiple: true, guessed: ['a', 'b', 'c'], right: false });
    });
  });

  describe('cueProblems (issue 14 thresholds)', () => {
    const report = (moduleRight: number[], total = 10): CueReport => {
      const modules = moduleRight.map((right, i) => ({
        id: `m${i}`,
        score: { ja: { right, total }, en: { right: 0, total } },
      }));
      const sum = moduleRight.reduce((a, b) => a + b, 0);
      return {
        results: [],
        modules,
        overall: { ja: { right: sum, total: total * moduleRight.length }, en: { right: 0, total: total * moduleRight.length } },
      };
    };

    it('passes at exactly the thresholds', () => {
      expect(CUE_MAX_OVERALL).toBe(0.35);
      expect(CUE_MAX_MODULE).toBe(0.45);
      expect(cueProblems(report([3, 3, 4, 4], 10))).toEqual([]); // 35 % overall, no module above 40 %
    });

    it('fails a module above 45 % and an overall above 35 %', () => {
      const problems = cueProblems(report([5, 2, 2], 10));
      expect(problems).toEqual([expect.objectContaining({ moduleId: 'm0', lang: 'ja' })]);
      const overall = cueProblems(report([4, 4, 4], 10));
      expect(overall).toEqual([{ lang: 'ja', message: expect.stringContaining('overall (ja)') }]);
    });
  });
});
