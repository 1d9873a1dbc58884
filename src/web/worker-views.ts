import type { CertificateFacts } from '../certificates/certificates.service';
import type { Lang, TrainingModule } from '../content/content.types';
import type { TrainingService } from '../training/training.service';
import { certificateView, standingFor } from './certificate-views';
import { lessonContents } from './lesson-contents';

type MyEngagement = Awaited<ReturnType<TrainingService['myEngagements']>>[number];

/**
 * The worker's home: per engagement, the modules in order with their status,
 * how many are left, the one to do next, and the certificate once issued.
 */
export function workerHomeView(engagements: MyEngagement[], certificates: CertificateFacts[], lang: Lang) {
  return engagements.map(({ engagement, modules }) => {
    const done = modules.filter((m) => m.status === 'completed').length;
    const next = modules.find((m) => m.status !== 'completed');
    const certificate = standingFor(certificates, engagement.id);
    return {
      ...engagement,
      certificate: certificate ? certificateView(certificate, lang) : null,
      total: modules.length,
      done,
      left: modules.length - done,
      complete: modules.length > 0 && done === modules.length,
      next: next ? { moduleId: next.moduleId, title: next.title[lang] } : null,
      modules: modules.map((m) => ({
        moduleId: m.moduleId,
        title: m.title[lang],
        status: m.status,
        completed: m.status === 'completed',
        bestScore: m.bestScore,
        attempts: m.attempts,
        completedAt: m.completedAt,
        href: `/learn/${engagement.id}/${m.moduleId}`,
      })),
    };
  });
}

/** The lesson page: the module, its quiz's rules, and where the worker stands on it. */
export function lessonView(module: TrainingModule, engagement: MyEngagement, passMark: number, lang: Lang) {
  const status = engagement.modules.find((m) => m.moduleId === module.id);
  const index = engagement.modules.findIndex((m) => m.moduleId === module.id);
  const next = engagement.modules.slice(index + 1).find((m) => m.status !== 'completed');
  const lesson = lessonContents(module.lessonHtml[lang], lang);
  return {
    engagement: engagement.engagement,
    module: {
      id: module.id,
      title: module.title[lang],
      articles: module.articles,
      estimatedMinutes: module.estimatedMinutes,
      drawSize: module.drawSize,
      timeLimitMinutes: module.timeLimitMinutes,
      passMark,
      lessonTitleHtml: lesson.title,
      lessonHtml: lesson.html,
      contents: lesson.contents,
      readingMinutes: lesson.readingMinutes,
    },
    status: status?.status ?? 'not_started',
    completed: status?.status === 'completed',
    completedAt: status?.completedAt ?? null,
    bestScore: status?.bestScore ?? null,
    position: index + 1,
    count: engagement.modules.length,
    next: next ? { title: next.title[lang], href: `/learn/${engagement.engagement.id}/${next.moduleId}` } : null,
  };
}

type Sitting = Awaited<ReturnType<TrainingService['get']>>;

/**
 * The quiz form. Only what the worker must see: texts, the per-attempt
 * opaque choice keys and whether several answers may be chosen. Nothing in
 * the markup differs between a right and a wrong choice.
 */
export function quizView(sitting: Sitting, chosen: Map<string, string[]>, errors: Record<string, string>) {
  return sitting.questions.map((q, i) => ({
    number: i + 1,
    id: q.id,
    field: `q_${q.id}`,
    multiple: q.multiple,
    text: q.text,
    error: errors[q.id] ?? null,
    choices: q.choices.map((c) => ({ key: c.id, text: c.text, checked: (chosen.get(q.id) ?? []).includes(c.id) })),
  }));
}
