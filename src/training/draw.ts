import { randomBytes, randomInt } from 'node:crypto';
import type { TrainingModule } from '../content/content.types';
import type { DrawnQuestion } from './attempt.entity';

/**
 * A sitting's questions: a uniform random sample of `drawSize` questions of the module's bank, without
 * replacement, each question's choices shuffled under keys of their own (6 hex digits, unique within the
 * question) so the choices' ids never leave the server before grading.
 */
export function draw(module: TrainingModule): DrawnQuestion[] {
  const bank = shuffle([...module.questions]).slice(0, module.drawSize);
  return bank.map((q) => {
    const keys = new Set<string>();
    return {
      id: q.id,
      article: q.article,
      text: { ...q.text },
      multiple: q.multiple,
      choices: shuffle([...q.choices]).map((c) => {
        let key: string;
        do key = randomBytes(3).toString('hex');
        while (keys.has(key));
        keys.add(key);
        return { key, id: c.id, text: { ...c.text }, correct: c.correct };
      }),
      explanation: { ...q.explanation },
    };
  });
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
