import autocannon from 'autocannon';
import type { TrainingModule } from '../../src/content/content.types';
import { percentile } from '../lib/http';
import type { Sizes } from '../lib/sizes';

export interface QuizResult {
  /** Passed sittings (start + submit) per second. */
  sittingsPerSecond: number;
  /** Start of the attempt to the graded answer, ms. */
  p50: number;
  p99: number;
  sittings: number;
  failures: number;
  /** The first failed answer, to say what went wrong. */
  firstFailure?: string;
}

/**
 * The worker's side of the answer key, known from the content (module and
 * question id, choice text; the choice ids a sitting shows are random per attempt),
 * so the simulated workers pass every time without reading the database.
 */
export function answerKey(modules: readonly TrainingModule[]): Map<string, Set<string>> {
  const key = new Map<string, Set<string>>();
  for (const m of modules)
    for (const q of m.questions) key.set(`${m.id}/${q.id}`, new Set(q.choices.filter((c) => c.correct).map((c) => c.text.ja)));
  return key;
}

/**
 * Many workers sitting quizzes at once: one autocannon connection per
 * worker (its own session token), each looping start → answer → submit
 * over the modules. Counts passed sittings and times each from the start
 * request to the graded answer. The service and the baseline alternate in
 * rounds, each with its own workers.
 */
export async function quizLoad(
  sides: { url: string; tokens: string[] }[],
  engagementId: string,
  moduleIds: string[],
  key: Map<string, Set<string>>,
  sizes: Sizes,
): Promise<QuizResult[]> {
  const stats = sides.map(() => ({
    sittings: 0,
    failures: 0,
    seconds: 0,
    latencies: [] as number[],
    firstFailure: undefined as string | undefined,
  }));
  let nextModule = 0;
  const run = (side: number, duration: number) => {
    const { url, tokens } = sides[side];
    const st = stats[side];
    const fail = (status: number, body: string) => {
      st.failures++;
      st.firstFailure ??= `${status} ${body.slice(0, 300)}`;
    };
    let nextWorker = 0;
    return autocannon({
      url,
      connections: tokens.length,
      duration,
      timeout: 30,
      setupClient: (client) => {
        const headers = { authorization: `Bearer ${tokens[nextWorker++ % tokens.length]}`, 'content-type': 'application/json' };
        client.setRequests([
          {
            method: 'POST',
            headers,
            body: JSON.stringify({ engagementId }),
            setupRequest: (req, ctx) => {
              ctx.started = performance.now();
              return { ...req, path: `/api/v1/modules/${moduleIds[nextModule++ % moduleIds.length]}/attempts` };
            },
            onResponse: (status, body, ctx) => {
              if (status !== 201) return fail(status, body);
              const a = JSON.parse(body) as {
                attemptId: string;
                moduleId: string;
                questions: { id: string; choices: { id: string; text: string }[] }[];
              };
              ctx.attemptId = a.attemptId;
              ctx.answers = a.questions.map((q) => ({
                questionId: q.id,
                choiceIds: q.choices.filter((c) => key.get(`${a.moduleId}/${q.id}`)?.has(c.text)).map((c) => c.id),
              }));
            },
          },
          {
            method: 'POST',
            headers,
            setupRequest: (req, ctx) =>
              ctx.attemptId
                ? { ...req, path: `/api/v1/attempts/${ctx.attemptId}/submission`, body: JSON.stringify({ answers: ctx.answers }) }
                : null,
            onResponse: (status, body, ctx) => {
              if (status !== 200 || !(JSON.parse(body) as { passed: boolean }).passed) return fail(status, body);
              st.sittings++;
              st.latencies.push(performance.now() - ctx.started);
            },
          },
        ]);
      },
    });
  };
  for (const i of sides.keys()) await run(i, sizes.warmupSeconds);
  for (const st of stats) Object.assign(st, { sittings: 0, failures: 0, latencies: [] });
  for (let round = 0; round < sizes.rounds; round++)
    for (const i of sides.keys()) {
      const r = await run(i, sizes.loadSeconds / sizes.rounds);
      stats[i].seconds += r.duration;
      stats[i].failures += r.errors;
    }
  return stats.map((st) => ({
    sittingsPerSecond: st.sittings / st.seconds,
    p50: percentile(st.latencies, 50),
    p99: percentile(st.latencies, 99),
    sittings: st.sittings,
    failures: st.failures,
    firstFailure: st.firstFailure,
  }));
}
