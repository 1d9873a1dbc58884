import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccessService } from '../access/access.service';
import { Roles } from '../auth/auth-user';
import { CertificatesService } from '../certificates/certificates.service';
import { formatDateTime } from '../common/dates';
import { DomainError } from '../common/errors/domain-error';
import { ContentService } from '../content/content.service';
import { SubmissionDto } from '../training/dto/attempt.dto';
import { TrainingService } from '../training/training.service';
import { certificateView, standingFor } from './certificate-views';
import { CsrfGuard } from './csrf';
import { caught, type FormBody, list, optionalForm, str, validateForm } from './forms';
import { t } from './i18n';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';
import { lessonView, quizView, workerHomeView } from './worker-views';

const MODULE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** A quiz or its result: pages that offer "start again" besides the lesson. */
const QUIZ_PAGE = /^\/quiz\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:\/result)?$/;

/** The worker's training: my engagements, lessons, quizzes and their results, my certificates. */
@ApiExcludeController()
@Roles('worker')
@UseGuards(CsrfGuard)
@Controller()
export class WorkerPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly training: TrainingService,
    private readonly access: AccessService,
    private readonly content: ContentService,
    private readonly certificates: CertificatesService,
  ) {}

  @Get('learn')
  async home(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    const lang = this.pages.lang(req);
    const [mine, certificates] = await Promise.all([this.training.myEngagements(req.user!), this.certificates.mine(req.user!)]);
    const engagements = workerHomeView(mine, certificates, lang);
    return this.pages.render(req, reply, 'worker/home', {
      title: t(lang, 'worker.home.title'),
      engagements,
      hasCertificates: certificates.length > 0,
      loginId: req.user!.email,
    });
  }

  /** Every certificate issued to me, newest first, superseded ones included (they still verify as such). */
  @Get('learn/certificates')
  async myCertificates(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    const lang = this.pages.lang(req);
    const certificates = (await this.certificates.mine(req.user!)).map((f) => certificateView(f, lang));
    return this.pages.render(req, reply, 'worker/certificates', { title: t(lang, 'certs.title'), certificates });
  }

  @Get('learn/:engagementId/:moduleId')
  async lesson(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('engagementId', ParseUUIDPipe) engagementId: string,
    @Param('moduleId') moduleId: string,
  ) {
    const lang = this.pages.lang(req);
    const { mine, module, passMark } = await this.lessonContext(req, engagementId, moduleId);
    const view = lessonView(module, mine, passMark, lang);
    return this.pages.render(req, reply, 'worker/lesson', {
      title: view.module.title,
      ...view,
      here: `/learn/${engagementId}/${moduleId}`,
    });
  }

  @Post('learn/:engagementId/:moduleId/attempts')
  async start(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('engagementId', ParseUUIDPipe) engagementId: string,
    @Param('moduleId') moduleId: string,
    @Body() body: unknown,
  ) {
    const lang = this.pages.lang(req);
    const form = optionalForm(body);
    await this.lessonContext(req, engagementId, moduleId);
    // The page whose button started it (the lesson, a failed result, an expired quiz): a refusal is said there.
    // Only those pages send `next`; anything else is no form of ours.
    const lesson = `/learn/${engagementId}/${moduleId}`;
    const next = str(form, 'next');
    if (next && next !== lesson && !QUIZ_PAGE.test(next)) throw new DomainError('input.invalid', { fields: 'next' }, 'next');
    const back = next || lesson;
    try {
      const attempt = await this.training.start(req.user!, moduleId, engagementId, lang);
      return this.pages.redirect(reply, `/quiz/${attempt.attemptId}`);
    } catch (e) {
      // The cool-down after repeated failures: say until when, on the page the worker was on.
      const coolDown = caught(e, 'training.cooling_down');
      if (!coolDown) throw e;
      const until = formatDateTime(String(coolDown.params.retryAt), lang);
      this.pages.flash(req, reply, { kind: 'error', key: 'lesson.coolDown', params: { until } });
      return this.pages.redirect(reply, back);
    }
  }

  @Get('quiz/:attemptId')
  async quiz(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('attemptId', ParseUUIDPipe) attemptId: string) {
    const sitting = await this.training.get(req.user!, attemptId, this.pages.lang(req));
    if (sitting.submitted) return this.pages.redirect(reply, `/quiz/${attemptId}/result`);
    return this.renderQuiz(req, reply, sitting, new Map(), {});
  }

  @Post('quiz/:attemptId')
  async submit(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('attemptId', ParseUUIDPipe) attemptId: string,
    @Body() body: FormBody,
  ) {
    const lang = this.pages.lang(req);
    const sitting = await this.training.get(req.user!, attemptId, lang);
    if (sitting.submitted) return this.pages.redirect(reply, `/quiz/${attemptId}/result`);
    const chosen = new Map(sitting.questions.map((q) => [q.id, list(body, `q_${q.id}`)]));
    const errors: Record<string, string> = {};
    for (const q of sitting.questions) if (!chosen.get(q.id)!.length) errors[q.id] = t(lang, 'quiz.unanswered');
    if (Object.keys(errors).length) return this.renderQuiz(req, reply, sitting, chosen, errors, 400);
    // The API's own rules for a submission (field rules of the input layer: lengths, no control characters).
    const v = await validateForm(
      SubmissionDto,
      { answers: [...chosen].map(([questionId, choiceIds]) => ({ questionId, choiceIds })) },
      lang,
      'quiz',
    );
    if (v.errors) {
      for (const q of sitting.questions) errors[q.id] = t(lang, 'validation.invalid');
      return this.renderQuiz(req, reply, sitting, chosen, errors, 400);
    }
    try {
      const submitted = await this.training.submit(req.user!, attemptId, v.value.answers, lang);
      // The pass that completed the curriculum issued the certificate: say so once on the result page.
      if (submitted.certificate)
        this.pages.flash(req, reply, { kind: 'success', key: 'certs.issued', data: { serial: submitted.certificate.serial } });
    } catch (e) {
      // Submitted meanwhile (another tab) or past the time limit: the quiz page explains which.
      if (!caught(e, 'attempt.already_submitted', 'attempt.time_limit_passed')) throw e;
      return this.pages.redirect(reply, `/quiz/${attemptId}`);
    }
    return this.pages.redirect(reply, `/quiz/${attemptId}/result`);
  }

  @Get('quiz/:attemptId/result')
  async result(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('attemptId', ParseUUIDPipe) attemptId: string) {
    const lang = this.pages.lang(req);
    let result: Awaited<ReturnType<TrainingService['result']>>;
    try {
      result = await this.training.result(req.user!, attemptId, lang);
    } catch (e) {
      if (!caught(e, 'attempt.not_submitted')) throw e;
      return this.pages.redirect(reply, `/quiz/${attemptId}`);
    }
    const { mine, module } = await this.lessonContext(req, result.engagementId, result.moduleId);
    const view = lessonView(module, mine, result.passMark, lang);
    const allDone = mine.modules.every((m) => m.status === 'completed');
    const certificate = result.passed && allDone ? standingFor(await this.certificates.mine(req.user!), result.engagementId) : null;
    return this.pages.render(req, reply, 'worker/result', {
      title: t(lang, 'result.title', { module: view.module.title }),
      ...view,
      result: { ...result, rightCount: result.questions.filter((q) => q.correct).length },
      allDone,
      certificate: certificate ? certificateView(certificate, lang) : null,
      here: `/quiz/${attemptId}/result`,
    });
  }

  /** The engagement (404 unless assigned), the module (404 unless in its curriculum) and the worker's standing. */
  private async lessonContext(req: PageRequest, engagementId: string, moduleId: string) {
    if (!MODULE_ID.test(moduleId)) throw new DomainError('module.not_found', { id: '' });
    const engagement = await this.access.engagement(req.user!, engagementId);
    if (!engagement.curriculum.includes(moduleId) || !this.content.has(moduleId))
      throw new DomainError('module.not_found', { id: moduleId });
    const mine = (await this.training.myEngagements(req.user!)).find((e) => e.engagement.id === engagementId);
    if (!mine) throw new DomainError('engagement.not_found');
    const module = this.content.get(moduleId);
    return { engagement, mine, module, passMark: engagement.passMark ?? module.passMark };
  }

  private renderQuiz(
    req: PageRequest,
    reply: FastifyReply,
    sitting: Awaited<ReturnType<TrainingService['get']>>,
    chosen: Map<string, string[]>,
    errors: Record<string, string>,
    status = 200,
  ) {
    const lang = this.pages.lang(req);
    const module = this.content.get(sitting.moduleId);
    const expired = new Date(sitting.expiresAt) <= new Date();
    const questions = quizView(sitting, chosen, errors);
    // Each unanswered question in the summary, linked to its first choice.
    const errorSummary = questions
      .filter((q) => q.error && q.choices.length)
      .map((q) => ({ href: `#c-${q.choices[0].key}`, message: `${t(lang, 'quiz.number', { n: q.number })} ${q.error}` }));
    return this.pages.render(
      req,
      reply,
      'worker/quiz',
      {
        title: t(lang, 'quiz.title', { module: module.title[lang] }),
        attemptId: sitting.attemptId,
        here: `/quiz/${sitting.attemptId}`,
        engagementId: sitting.engagementId,
        moduleId: sitting.moduleId,
        moduleTitle: module.title[lang],
        expiresAt: sitting.expiresAt,
        // The server's clock, so the countdown (public/quiz-countdown.js) corrects a browser's wrong one.
        now: new Date().toISOString(),
        expired,
        scripts: ['/assets/quiz-countdown.js'],
        errorSummary,
        questions,
      },
      status,
    );
  }
}
