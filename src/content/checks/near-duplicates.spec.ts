import { cosine, nearDuplicates, repeatedScenarios, tfidfVectors } from './near-duplicates';
import { question, trainingModule } from './test-helpers';

const choices = [{ ja: 'a', correct: true }, { ja: 'b' }, { ja: 'c' }, { ja: 'd' }];
const q = (id: string, ja: string, en: string) => ({ ...question(id, ja, choices), text: { ja, en } });

// Filler questions so that IDF has something to weigh against.
const filler = [
  q('f1', '町から立ち入り検査の連絡がありました。どうすべきですか。', 'The town announces an inspection. What should you do?'),
  q(
    'f2',
    'ウイルス対策ソフトの定義ファイルが古いままです。どうすべきですか。',
    'The antivirus definitions are out of date. What should you do?',
  ),
  q('f3', '再委託先を選ぶときに確認すべきことを選んでください。', 'Choose what to check when selecting a subcontractor.'),
  q('f4', '業務が完了したので資料を返還します。どうすべきですか。', 'The work is complete and materials are returned. What should you do?'),
];

describe('near-duplicates', () => {
  it('reports similar stems in different modules, with their similarity per language', () => {
    const a = q(
      'q03',
      'コールセンターで、電話の相手が「母の住所を教えてほしい」と言い、母親の生年月日を答えました。どうすべきですか。',
      "At the call centre, a caller asks for their mother's address and gives her date of birth. What should you do?",
    );
    const b = q(
      'q09',
      'コールセンターで、電話の相手が「母のマイナンバーを教えてほしい」と言い、母親の生年月日を答えました。どうすべきですか。',
      "At the call centre, a caller asks for their mother's My Number and gives her date of birth. What should you do?",
    );
    const pairs = nearDuplicates([
      trainingModule('personal-information', [a, ...filler.slice(0, 2)]),
      trainingModule('my-number', [b, ...filler.slice(2)]),
    ]);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({
      a: { moduleId: 'personal-information', questionId: 'q03' },
      b: { moduleId: 'my-number', questionId: 'q09' },
    });
    expect(pairs[0].similarity.ja).toBeGreaterThan(0.5);
    expect(pairs[0].similarity.en).toBeGreaterThan(0.5);
  });

  it('leaves pairs inside one module and unrelated stems alone', () => {
    const a = q('q01', '昼休みに席を離れるとき、申請書をどうしますか。', 'You leave your desk for lunch. What do you do with the forms?');
    const b = q('q02', '昼休みに席を離れるとき、申請書をどうしますか。', 'You leave your desk for lunch. What do you do with the forms?');
    expect(nearDuplicates([trainingModule('data-handling', [a, b]), trainingModule('other', filler)])).toEqual([]);
  });

  it('tf-idf cosine is 1 for the same text and 0 for texts with nothing in common', () => {
    const [x, y, z] = tfidfVectors(['誤送信に気付いた', '誤送信に気付いた', 'ウイルス対策'], 'ja');
    expect(cosine(x, y)).toBeCloseTo(1, 5);
    expect(cosine(x, z)).toBe(0);
  });

  it('names a scenario asked in more than one module, but not one kept inside a module', () => {
    const missent = (id: string) =>
      q(id, '住民名簿を添付したメールを誤った宛先に送ってしまいました。', 'You e-mailed a resident list to the wrong address.');
    const ai = (id: string) =>
      q(id, '苦情メールを生成AIサービスで要約しようと考えました。', 'You want to summarise a complaint with a generative AI service.');
    const found = repeatedScenarios([
      trainingModule('confidentiality', [missent('q12'), ai('q09')]),
      trainingModule('incident-reporting', [missent('q04')]),
      trainingModule('no-takeout', [ai('q14')]),
      trainingModule('personal-information', [
        q('q01', '宛先の候補表示から別会社のアドレスに送ってしまいました。', 'Auto-complete sent it to an address at another company.'),
      ]),
    ]);
    expect(found.map((s) => [s.id, s.questions.map((r) => `${r.moduleId}/${r.questionId}`)])).toEqual([
      ['mis-sent-email', ['confidentiality/q12', 'incident-reporting/q04', 'personal-information/q01']],
      ['generative-ai', ['confidentiality/q09', 'no-takeout/q14']],
    ]);
    expect(repeatedScenarios([trainingModule('incident-reporting', [missent('q01'), missent('q02')])])).toEqual([]);
  });
});
