import { DomainError } from '../common/errors/domain-error';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ContentError, contentHash, coverage, loadContent, normalizeText, renderMarkdown } from './content-loader';
import { type AppliesWhen, type TrainingModule } from './content.types';
import { ContentController } from './content.controller';
import { ContentService } from './content.service';
import { compareModuleIds, deriveCurriculum } from './curriculum';
import { ModuleQueryDto } from './dto/module-query.dto';

// Each test builds a valid content tree in a temporary directory, breaks one
// thing, and checks that the problem names the file and the field.

type Manifest = Record<string, unknown>;
type QuestionDoc = Record<string, any>;

const loc = (ja: string, en: string) => ({ ja, en });

function validManifest(id: string): Manifest {
  return {
    id,
    revision: 2,
    minimumRevision: 1,
    title: loc(`${id} の研修`, `${id} training`),
    summary: loc('要約です。', 'A summary.'),
    articles: ['1', '3-2'],
    appliesWhen: 'always',
    drawSize: 6,
    passMark: 80,
    estimatedMinutes: 8,
  };
}

function validQuestions(n = 12): { questions: QuestionDoc[] } {
  return {
    questions: Array.from({ length: n }, (_, i) => ({
      id: `q${String(i + 1).padStart(2, '0')}`,
      article: i % 2 ? '3-2' : '1',
      text: loc(`質問 ${i + 1}`, `Question ${i + 1}`),
      choices: [
        { id: 'a', text: loc('正しい', 'Right'), correct: true },
        { id: 'b', text: loc('誤り', 'Wrong'), correct: false },
        { id: 'c', text: loc('誤り', 'Also wrong'), correct: i === 0 },
        { id: 'd', text: loc('誤り', 'Wrong again'), correct: false },
      ],
      explanation: loc('第1による。', 'Under Article 1.'),
    })),
  };
}

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'content-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const moduleDir = (folder: string) => join(root, 'modules', folder);

/** Writes a valid module; `edit` may change the parsed documents before they are written. */
function writeModule(folder = 'basics', edit: (m: Manifest, q: { questions: QuestionDoc[] }) => void = () => undefined): string {
  const dir = moduleDir(folder);
  mkdirSync(dir, { recursive: true });
  const manifest = validManifest(folder);
  const questions = validQuestions();
  edit(manifest, questions);
  writeFileSync(join(dir, 'module.yaml'), stringify(manifest));
  writeFileSync(join(dir, 'questions.yaml'), stringify(questions));
  writeFileSync(join(dir, 'lesson.ja.md'), '# 基本\n\n第1により、特記事項は契約と一体です。\n');
  writeFileSync(join(dir, 'lesson.en.md'), '# Basics\n\nUnder Article 1 the provisions are one with the contract.\n');
  return dir;
}

function problemsOf(): string[] {
  try {
    loadContent(root);
  } catch (err) {
    if (err instanceof ContentError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ContentError');
}

function expectProblem(pattern: string | RegExp): string[] {
  const problems = problemsOf();
  const match = problems.filter((p) => (typeof pattern === 'string' ? p.includes(pattern) : pattern.test(p)));
  if (!match.length) throw new Error(`no problem matches ${String(pattern)}; got:\n${problems.join('\n')}`);
  return problems;
}

describe('loadContent', () => {
  it('loads a valid module with defaults, derived flags and rendered lessons', () => {
    writeModule('basics', (m) => {
      delete m.passMark;
    });
    const { modules } = loadContent(root);
    expect(modules).toHaveLength(1);
    const m = modules[0];
    expect(m).toMatchObject({
      id: 'basics',
      revision: 2,
      minimumRevision: 1,
      articles: ['1', '3-2'],
      appliesWhen: 'always',
      drawSize: 6,
      passMark: 80,
      timeLimitMinutes: 30,
      estimatedMinutes: 8,
      title: { ja: 'basics の研修', en: 'basics training' },
    });
    expect(m.questions).toHaveLength(12);
    expect(m.questions[0].multiple).toBe(true);
    expect(m.questions[1].multiple).toBe(false);
    expect(m.lessonHtml.ja).toContain('<h1>基本</h1>');
    expect(m.lessonHtml.en).toContain('<p>Under Article 1');
    expect(m.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.isFrozen(m) && Object.isFrozen(m.questions[0].choices)).toBe(true);
  });

  it('returns modules in curriculum order', () => {
    writeModule('zeta-extra');
    writeModule('my-number');
    writeModule('basics');
    writeModule('alpha-extra');
    expect(loadContent(root).modules.map((m) => m.id)).toEqual(['basics', 'my-number', 'alpha-extra', 'zeta-extra']);
  });

  it('lists every problem, not only the first', () => {
    writeModule('basics', (m, q) => {
      m.drawSize = 4;
      q.questions[0].choices[0].correct = false;
      q.questions[0].choices[2].correct = false;
    });
    writeModule('other', (m) => {
      m.id = 'wrong';
    });
    const problems = problemsOf();
    expect(problems).toEqual(
      expect.arrayContaining([
        'modules/basics/module.yaml: drawSize: must be between 5 and 8',
        'modules/basics/questions.yaml: questions[0].choices: no correct choice',
        'modules/other/module.yaml: id: must equal the folder name "other" (is "wrong")',
      ]),
    );
    let message = '';
    try {
      loadContent(root);
    } catch (err) {
      message = (err as Error).message;
    }
    for (const p of problems) expect(message).toContain(p);
  });

  describe('catches', () => {
    it('an unknown key in module.yaml', () => {
      writeModule('basics', (m) => {
        m.color = 'blue';
      });
      expectProblem('modules/basics/module.yaml: color: unknown key');
    });

    it('an unknown key deep in questions.yaml', () => {
      writeModule('basics', (_, q) => {
        q.questions[3].choices[1].text.fr = 'Faux';
        q.questions[4].hint = 'no';
      });
      const problems = expectProblem('modules/basics/questions.yaml: questions[3].choices[1].text.fr: unknown key');
      expect(problems).toContain('modules/basics/questions.yaml: questions[4].hint: unknown key');
    });

    it('a missing en translation', () => {
      writeModule('basics', (m, q) => {
        delete (m.title as Record<string, string>).en;
        q.questions[2].explanation.en = '  ';
      });
      const problems = expectProblem('modules/basics/module.yaml: title.en: missing en translation');
      expect(problems).toContain('modules/basics/questions.yaml: questions[2].explanation.en: missing en translation');
    });

    it('a missing required field', () => {
      writeModule('basics', (m) => {
        delete m.estimatedMinutes;
        delete m.summary;
      });
      const problems = expectProblem('modules/basics/module.yaml: estimatedMinutes: is required');
      expect(problems).toContain('modules/basics/module.yaml: summary: is required');
    });

    it('a missing or empty lesson file', () => {
      const dir = writeModule('basics');
      unlinkSync(join(dir, 'lesson.en.md'));
      writeFileSync(join(dir, 'lesson.ja.md'), '\n  \n');
      const problems = expectProblem('modules/basics/lesson.en.md: (file): missing');
      expect(problems).toContain('modules/basics/lesson.ja.md: (file): empty (missing ja translation of the lesson)');
    });

    it('a missing questions.yaml and an unexpected file', () => {
      const dir = writeModule('basics');
      unlinkSync(join(dir, 'questions.yaml'));
      writeFileSync(join(dir, 'question.yaml'), 'questions: []\n');
      const problems = expectProblem('modules/basics/questions.yaml: (file): missing');
      expect(problems.some((p) => p.startsWith('modules/basics/question.yaml: (file): unexpected file'))).toBe(true);
    });

    it('a question without a correct choice', () => {
      writeModule('basics', (_, q) => {
        for (const c of q.questions[3].choices) c.correct = false;
      });
      expectProblem('modules/basics/questions.yaml: questions[3].choices: no correct choice');
    });

    it('a duplicate question id', () => {
      writeModule('basics', (_, q) => {
        q.questions[5].id = 'q02';
      });
      expectProblem('modules/basics/questions.yaml: questions[5].id: duplicate question id "q02" (also questions[1])');
    });

    it('a duplicate choice id', () => {
      writeModule('basics', (_, q) => {
        q.questions[7].choices[2].id = 'a';
      });
      expectProblem('modules/basics/questions.yaml: questions[7].choices[2].id: duplicate choice id "a" (also choices[0])');
    });

    it('too few or too many choices', () => {
      writeModule('basics', (_, q) => {
        q.questions[1].choices.splice(2, 1);
        q.questions[2].choices.push(...['e', 'f'].map((id) => ({ id, text: loc('誤り', 'Wrong'), correct: false })));
      });
      // Issue 14: three choices make guessing too easy; the service refuses them at start.
      const problems = expectProblem('modules/basics/questions.yaml: questions[1].choices: has 3 choices; 4–5 are required');
      expect(problems).toContain('modules/basics/questions.yaml: questions[2].choices: has 6 choices; 4–5 are required');
    });

    it('fact lists: accepted on modules and questions, exposed, and checked for shape', () => {
      writeModule('basics', (m, q) => {
        m.facts = ['ipa-10-threats-2026'];
        q.questions[1].facts = ['nodejs-20-end-of-life', 'nodejs-22-end-of-life'];
      });
      const m = loadContent(root).modules[0];
      expect(m.facts).toEqual(['ipa-10-threats-2026']);
      expect(m.questions[1].facts).toEqual(['nodejs-20-end-of-life', 'nodejs-22-end-of-life']);
      expect(m.questions[0].facts).toEqual([]);
      writeModule('basics', (m, q) => {
        m.facts = ['IPA 2026'];
        q.questions[2].facts = ['a-b', 'a-b'];
      });
      const problems = expectProblem('modules/basics/module.yaml: facts: must be a list of distinct fact ids');
      expect(problems).toContain(
        'modules/basics/questions.yaml: questions[2].facts: must be a list of distinct fact ids from content/facts.yaml (kebab-case, e.g. ipa-10-threats-2026)',
      );
    });

    it('a non-boolean correct', () => {
      writeModule('basics', (_, q) => {
        q.questions[0].choices[0].correct = 'yes';
      });
      const problems = expectProblem('modules/basics/questions.yaml: questions[0].choices[0].correct: must be true or false');
      expect(problems.some((p) => p.includes('no correct choice'))).toBe(false);
    });

    it.each([
      ['17', 'article 17 does not exist'],
      ['3-9', 'article 3 has paragraphs 1–4 only'],
      ['5-1', 'article 5 has no numbered paragraphs'],
      ['0', 'is not a provision reference'],
      ['Art. 3', 'is not a provision reference'],
    ])('a missing article %s in module.yaml', (ref, why) => {
      writeModule('basics', (m) => {
        m.articles = ['1', '3-2', ref];
      });
      expectProblem(`modules/basics/module.yaml: articles[2]: `);
      expectProblem(why);
    });

    it('a missing article in a question', () => {
      writeModule('basics', (_, q) => {
        q.questions[4].article = '11-4';
      });
      expectProblem('modules/basics/questions.yaml: questions[4].article: "11-4": article 11 has paragraphs 1–3 only');
    });

    it('an unquoted (numeric) article', () => {
      writeModule('basics', (m) => {
        m.articles = [1, '3-2'];
      });
      expectProblem(/modules\/basics\/module\.yaml: articles: .*quoted string/);
    });

    it('a question article the module does not teach', () => {
      writeModule('basics', (_, q) => {
        q.questions[6].article = '5';
        q.questions[8].article = '3-1';
      });
      const problems = expectProblem(
        'modules/basics/questions.yaml: questions[6].article: "5" is not among the module\'s articles (1, 3-2) in module.yaml',
      );
      expect(problems.some((p) => p.includes('questions[8].article: "3-1" is not among'))).toBe(true);
    });

    it('accepts a paragraph of a listed article and an article of a listed paragraph', () => {
      writeModule('basics', (m, q) => {
        m.articles = ['9', '10-1'];
        q.questions.forEach((x, i) => (x.article = ['9-2', '10', '9', '10-1'][i % 4]));
      });
      expect(loadContent(root).modules[0].articles).toEqual(['9', '10-1']);
    });

    it('drawSize larger than the bank, and too few questions', () => {
      writeModule('basics', (m, q) => {
        m.drawSize = 8;
        q.questions.splice(7);
      });
      const problems = expectProblem('modules/basics/module.yaml: drawSize: 8 is more than the 7 questions in questions.yaml');
      expect(problems).toContain('modules/basics/questions.yaml: questions: has 7 questions; at least 12 are required');
    });

    it.each<[unknown]>([[[]], [['handlesPets']], ['sometimes'], [['handlesMyNumber', 'handlesMyNumber']]])(
      'a bad appliesWhen %j',
      (appliesWhen) => {
        writeModule('basics', (m) => {
          m.appliesWhen = appliesWhen;
        });
        expectProblem(/^modules\/basics\/module\.yaml: appliesWhen: must be "always" or a non-empty list/);
      },
    );

    it('an id different from the folder name, and a non-kebab id', () => {
      writeModule('basics', (m) => {
        m.id = 'Basics_1';
      });
      const problems = expectProblem('modules/basics/module.yaml: id: must be kebab-case');
      expect(problems).toContain('modules/basics/module.yaml: id: must equal the folder name "basics" (is "Basics_1")');
    });

    it('a duplicate module id across folders', () => {
      writeModule('basics');
      writeModule('basics-copy', (m) => {
        m.id = 'basics';
      });
      expectProblem('modules/basics-copy/module.yaml: id: duplicate module id "basics" (also in modules/basics/module.yaml)');
    });

    it('revision and minimumRevision out of range', () => {
      writeModule('basics', (m) => {
        m.revision = 2;
        m.minimumRevision = 3;
        m.passMark = 101;
      });
      const problems = expectProblem('modules/basics/module.yaml: minimumRevision: must be between 1 and revision (2)');
      expect(problems).toContain('modules/basics/module.yaml: passMark: must be between 1 and 100');
    });

    it('a non-integer revision', () => {
      writeModule('basics', (m) => {
        m.revision = 1.5;
      });
      expectProblem('modules/basics/module.yaml: revision: must be an integer');
    });

    it('a YAML syntax error, with its line', () => {
      const dir = writeModule('basics');
      writeFileSync(join(dir, 'module.yaml'), 'id: basics\nrevision: 1\ntitle:\n  ja: x\n   en: y\narticles: ["1"\n');
      expectProblem(/^modules\/basics\/module\.yaml: line \d+, column \d+: YAML syntax error: /);
    });

    it('a duplicate YAML key, with its line', () => {
      const dir = writeModule('basics');
      const text = readFileSync(join(dir, 'module.yaml'), 'utf8');
      writeFileSync(join(dir, 'module.yaml'), text + 'drawSize: 7\n');
      expectProblem(/^modules\/basics\/module\.yaml: line \d+, column 1: YAML syntax error: Map keys must be unique/);
    });

    it('a document that is not a mapping', () => {
      const dir = writeModule('basics');
      writeFileSync(join(dir, 'questions.yaml'), '- id: q01\n');
      expectProblem('modules/basics/questions.yaml: (document): must be a mapping of keys to values');
    });

    it('a content tree without modules', () => {
      mkdirSync(join(root, 'modules'));
      expectProblem('modules: (file): no module folders');
    });
  });

  describe('contentHash', () => {
    it('changes when a lesson changes', () => {
      const dir = writeModule('basics');
      const before = loadContent(root).modules[0].contentHash;
      writeFileSync(join(dir, 'lesson.en.md'), '# Basics\n\nSomething else.\n');
      expect(loadContent(root).modules[0].contentHash).not.toBe(before);
    });

    it('is stable across CRLF vs LF, trailing white space and final newlines', () => {
      const dir = writeModule('basics');
      const before = loadContent(root).modules[0].contentHash;
      for (const name of ['module.yaml', 'questions.yaml', 'lesson.ja.md', 'lesson.en.md']) {
        const text = readFileSync(join(dir, name), 'utf8');
        writeFileSync(join(dir, name), text.replace(/\n/g, ' \t\r\n') + '\r\n\r\n');
      }
      expect(loadContent(root).modules[0].contentHash).toBe(before);
    });

    it('is sha256 over sorted name + NUL + normalized content', () => {
      const files = { 'b.md': 'two\r\n', 'a.md': 'one  \n\n' };
      const expected = createHash('sha256').update('a.md\0one\nb.md\0two\n').digest('hex');
      expect(contentHash(files)).toBe(expected);
      expect(normalizeText('\uFEFFx \r\ny\t\r\n\r\n')).toBe('x\ny\n');
    });
  });

  describe('lessons', () => {
    it('escape raw HTML instead of rendering it', () => {
      const dir = writeModule('basics');
      writeFileSync(join(dir, 'lesson.en.md'), '# Basics\n\n<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> here.\n');
      const html = loadContent(root).modules[0].lessonHtml.en;
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });

    it('keep only http(s), mailto and relative links', () => {
      const html = renderMarkdown(
        '[a](https://example.jp) [b](mailto:x@example.jp) [c](javascript:alert(1)) [d](tel:123) [e](#top) https://bare.example.jp',
      );
      expect(html).toContain('<a href="https://example.jp" rel="noopener noreferrer">a</a>');
      expect(html).toContain('<a href="mailto:x@example.jp">b</a>');
      expect(html).toContain('<a href="#top">e</a>');
      expect(html).not.toContain('href="javascript:');
      expect(html).toContain('[c](javascript:alert(1))');
      expect(html).not.toContain('href="tel:');
      expect(html).not.toContain('href="https://bare');
    });
  });
});

function fakeModule(id: string, appliesWhen: AppliesWhen, articles: string[] = ['1'], questionArticles: string[] = []): TrainingModule {
  return {
    id,
    appliesWhen,
    articles,
    questions: questionArticles.map((article, i) => ({ id: `q${i}`, article })),
  } as unknown as TrainingModule;
}

describe('deriveCurriculum', () => {
  const modules = [
    fakeModule('basics', 'always'),
    fakeModule('my-number', ['handlesMyNumber']),
    fakeModule('personal-information', ['handlesPersonalInfo', 'handlesMyNumber']),
    fakeModule('cloud-extra', ['usesCloudStorage']),
    fakeModule('confidentiality', 'always'),
    fakeModule('optional-topic', ['usesCloudStorage']),
  ];
  const none = { handlesPersonalInfo: false, handlesMyNumber: false, usesCloudStorage: false };

  it('takes only `always` modules when no flag is set', () => {
    expect(deriveCurriculum(modules, none)).toEqual(['basics', 'confidentiality']);
  });

  it('adds a module when any of its flags is true, in the fixed order', () => {
    expect(deriveCurriculum(modules, { ...none, handlesPersonalInfo: true })).toEqual([
      'basics',
      'confidentiality',
      'personal-information',
    ]);
    expect(deriveCurriculum(modules, { ...none, handlesMyNumber: true })).toEqual([
      'basics',
      'confidentiality',
      'personal-information',
      'my-number',
    ]);
    expect(deriveCurriculum(modules, { handlesPersonalInfo: true, handlesMyNumber: true, usesCloudStorage: true })).toEqual([
      'basics',
      'confidentiality',
      'personal-information',
      'my-number',
      'cloud-extra',
      'optional-topic',
    ]);
  });

  it('adds extras once, in order, and ignores unknown ids', () => {
    expect(deriveCurriculum(modules, none, ['optional-topic', 'basics', 'optional-topic', 'no-such-module'])).toEqual([
      'basics',
      'confidentiality',
      'optional-topic',
    ]);
  });

  it('orders unknown ids after the fixed ones, alphabetically', () => {
    expect(['zz', 'my-number', 'aa', 'basics', 'no-takeout'].sort(compareModuleIds)).toEqual([
      'basics',
      'no-takeout',
      'my-number',
      'aa',
      'zz',
    ]);
  });
});

describe('coverage', () => {
  it('counts paragraphs as their article, for teaching and asking', () => {
    const c = coverage([fakeModule('a', 'always', ['3-2', '9'], ['3-2', '3-2', '9-1']), fakeModule('b', 'always', ['3'], ['3'])]);
    expect(c).toHaveLength(16);
    expect(c[2]).toEqual({ article: 3, taughtBy: ['a', 'b'], askedBy: ['a', 'b'], questions: 3 });
    expect(c[8]).toEqual({ article: 9, taughtBy: ['a'], askedBy: ['a'], questions: 1 });
    expect(c[0]).toEqual({ article: 1, taughtBy: [], askedBy: [], questions: 0 });
  });
});

describe('ContentService and ContentController', () => {
  const service = () => new ContentService({ contentDir: root } as never);

  it('refuses to start on invalid content', () => {
    writeModule('basics', (m) => {
      m.drawSize = 9;
    });
    expect(service).toThrow(ContentError);
  });

  it('lists, gets, checks and derives', () => {
    writeModule('basics');
    writeModule('my-number', (m) => {
      m.appliesWhen = ['handlesMyNumber'];
    });
    const s = service();
    expect(s.list().map((m) => m.id)).toEqual(['basics', 'my-number']);
    expect(s.modules).toBe(s.list());
    expect(s.has('basics')).toBe(true);
    expect(s.has('nope')).toBe(false);
    expect(s.get('my-number').appliesWhen).toEqual(['handlesMyNumber']);
    expect(() => s.get('nope')).toThrow(DomainError);
    expect(() => s.get('nope')).toThrow(expect.objectContaining({ code: 'module.not_found', params: { id: 'nope' } }));
    expect(s.curriculum({ handlesMyNumber: true })).toEqual(['basics', 'my-number']);
    expect(s.curriculum({}, ['my-number'])).toEqual(['basics', 'my-number']);
  });

  it('serves the catalog and one lesson without questions', () => {
    writeModule('basics');
    const c = new ContentController(service());
    expect(c.list()).toEqual([
      {
        id: 'basics',
        revision: 2,
        title: { ja: 'basics の研修', en: 'basics training' },
        summary: { ja: '要約です。', en: 'A summary.' },
        articles: ['1', '3-2'],
        estimatedMinutes: 8,
        appliesWhen: 'always',
      },
    ]);
    const en = c.get('basics', plainToInstance(ModuleQueryDto, { lang: 'en' }));
    expect(en).toEqual({
      id: 'basics',
      revision: 2,
      title: 'basics training',
      lessonHtml: expect.stringContaining('<h1>Basics</h1>'),
      drawSize: 6,
      passMark: 80,
      estimatedMinutes: 8,
      articles: ['1', '3-2'],
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(c.get('basics', plainToInstance(ModuleQueryDto, {})).title).toBe('basics の研修');
  });

  it('validates ?lang', () => {
    const errors = (q: object) => validateSync(plainToInstance(ModuleQueryDto, q));
    expect(plainToInstance(ModuleQueryDto, {}).lang).toBe('ja');
    expect(errors({ lang: 'en' })).toHaveLength(0);
    expect(errors({ lang: 'fr' })).toHaveLength(1);
    expect(errors({ lang: ['ja', 'en'] })).toHaveLength(1);
  });
});
