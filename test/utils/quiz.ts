import type { TestApp } from './create-app';
import type { Client } from './http';

/** Reads the stored answer key of an attempt (tests only: the client never sees it). */
export async function answerKey(t: TestApp, attemptId: string): Promise<Map<string, { correct: string[]; wrong: string[] }>> {
  const [row] = await t.query<{ questions: string }>('SELECT questions FROM attempts WHERE id = ?', [attemptId]);
  const questions = JSON.parse(row.questions) as { id: string; choices: { key: string; correct: boolean }[] }[];
  return new Map(
    questions.map((q) => [
      q.id,
      { correct: q.choices.filter((c) => c.correct).map((c) => c.key), wrong: q.choices.filter((c) => !c.correct).map((c) => c.key) },
    ]),
  );
}

/** Starts and submits an attempt, answering every question right (or wrong). */
export async function sit(t: TestApp, http: Client, token: string, moduleId: string, engagementId: string, right = true) {
  const a = await http.post(`/api/v1/modules/${moduleId}/attempts`, { engagementId }, token);
  if (a.status !== 201) throw new Error(`start ${moduleId}: ${a.status} ${a.text}`);
  const key = await answerKey(t, a.body.attemptId);
  const answers = [...key].map(([questionId, k]) => ({ questionId, choiceIds: right ? k.correct : [k.wrong[0]] }));
  return http.post(`/api/v1/attempts/${a.body.attemptId}/submission`, { answers }, token);
}
