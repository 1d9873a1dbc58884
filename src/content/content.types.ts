import 'reflect-metadata'; // class-transformer's @Type reads design types, also outside Nest
import { Type } from 'class-transformer';
import { LANGS, type Lang } from '../common/i18n/words';
import {
  IsArray,
  IsBoolean,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
  ValidationArguments,
  ValidationOptions,
  registerDecorator,
} from 'class-validator';

/*
 * The shape of the training content files, exactly as docs/content-format.md
 * describes them. Validated with whitelist + forbidNonWhitelisted, so an
 * unknown key anywhere is an error. Cross-field and cross-file rules (id equals
 * the folder, articles exist, bank size, …) live in content-loader.ts.
 *
 * No Nest imports here: the `content:check` script uses these classes too.
 */

export { LANGS, type Lang };

export const ENGAGEMENT_FLAGS = ['handlesPersonalInfo', 'handlesMyNumber', 'usesCloudStorage'] as const;
export type EngagementFlag = (typeof ENGAGEMENT_FLAGS)[number];
export type EngagementFlags = Record<EngagementFlag, boolean>;
export type AppliesWhen = 'always' | readonly EngagementFlag[];

/** kebab-case: lower-case letters and digits in groups joined by single hyphens. */
export const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** A provision reference: article "N" or paragraph "N-M". */
export const PROVISION_REF = /^[1-9][0-9]*(?:-[1-9][0-9]*)?$/;

export const DEFAULT_PASS_MARK = 80;
export const DEFAULT_TIME_LIMIT_MINUTES = 30;
export const MIN_DRAW_SIZE = 5;
export const MAX_DRAW_SIZE = 8;
export const MIN_QUESTIONS = 12;
/** Issue 14: at least four choices per question (three make guessing too easy). The service refuses fewer at start. */
export const MIN_CHOICES = 4;
export const MAX_CHOICES = 5;
/** A fact id in content/facts.yaml: kebab-case, e.g. ipa-10-threats-2026. */
export const FACT_ID = KEBAB_CASE;

/** A string with at least one non-white-space character. */
function IsText(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isText',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.trim().length > 0,
        defaultMessage: (args?: ValidationArguments) => `${args?.property ?? 'value'} must be a non-empty string`,
      },
    });
}

/** `always`, or a non-empty list of distinct engagement flags. */
function IsAppliesWhen(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isAppliesWhen',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) =>
          value === 'always' ||
          (Array.isArray(value) &&
            value.length > 0 &&
            new Set(value).size === value.length &&
            value.every((v) => (ENGAGEMENT_FLAGS as readonly unknown[]).includes(v))),
        defaultMessage: () => `must be "always" or a non-empty list of distinct flags from ${ENGAGEMENT_FLAGS.join(', ')}`,
      },
    });
}

/** Optional list of distinct fact ids (content/facts.yaml; their existence is checked by `content:check`). */
function IsFactIds(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isFactIds',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) && new Set(value).size === value.length && value.every((v) => typeof v === 'string' && FACT_ID.test(v)),
        defaultMessage: () => 'must be a list of distinct fact ids from content/facts.yaml (kebab-case, e.g. ipa-10-threats-2026)',
      },
    });
}

/** `{ ja, en }`: both translations are required. */
export class Localized {
  @IsText({ message: 'missing ja translation' })
  ja: string;

  @IsText({ message: 'missing en translation' })
  en: string;
}

/** `module.yaml`. */
export class ModuleManifest {
  @IsString({ message: 'must be a string' })
  @Matches(KEBAB_CASE, { message: 'must be kebab-case (e.g. data-handling)' })
  id: string;

  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  revision: number;

  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  minimumRevision: number;

  @IsDefined({ message: 'is required' })
  @ValidateNested({ message: 'must be a mapping with ja and en' })
  @Type(() => Localized)
  title: Localized;

  @IsDefined({ message: 'is required' })
  @ValidateNested({ message: 'must be a mapping with ja and en' })
  @Type(() => Localized)
  summary: Localized;

  @IsArray({ message: 'must be a list of provisions such as ["3-2"]' })
  @IsString({ each: true, message: 'each entry must be a quoted string such as "3" or "3-2"' })
  articles: string[];

  @IsDefined({ message: 'is required' })
  @IsAppliesWhen()
  appliesWhen: AppliesWhen;

  @IsInt({ message: 'must be an integer' })
  @Min(MIN_DRAW_SIZE, { message: `must be between ${MIN_DRAW_SIZE} and ${MAX_DRAW_SIZE}` })
  @Max(MAX_DRAW_SIZE, { message: `must be between ${MIN_DRAW_SIZE} and ${MAX_DRAW_SIZE}` })
  drawSize: number;

  @IsOptional()
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be between 1 and 100' })
  @Max(100, { message: 'must be between 1 and 100' })
  passMark?: number;

  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  estimatedMinutes: number;

  @IsOptional()
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  timeLimitMinutes?: number;

  /** Facts (content/facts.yaml) the lesson states; required when the lesson has time-bound statements. */
  @IsOptional()
  @IsFactIds()
  facts?: string[];
}

/** One choice of a question. */
export class Choice {
  @IsText({ message: 'must be a non-empty string' })
  id: string;

  @IsDefined({ message: 'is required' })
  @ValidateNested({ message: 'must be a mapping with ja and en' })
  @Type(() => Localized)
  text: Localized;

  @IsBoolean({ message: 'must be true or false' })
  correct: boolean;
}

/** One question of the bank. */
export class Question {
  @IsText({ message: 'must be a non-empty string' })
  id: string;

  @IsString({ message: 'must be a quoted string such as "3" or "3-2"' })
  article: string;

  @IsDefined({ message: 'is required' })
  @ValidateNested({ message: 'must be a mapping with ja and en' })
  @Type(() => Localized)
  text: Localized;

  @IsArray({ message: 'must be a list of choices' })
  @ValidateNested({ each: true, message: 'each choice must be a mapping' })
  @Type(() => Choice)
  choices: Choice[];

  @IsDefined({ message: 'is required' })
  @ValidateNested({ message: 'must be a mapping with ja and en' })
  @Type(() => Localized)
  explanation: Localized;

  /** Facts (content/facts.yaml) the question, its choices or its explanation state. */
  @IsOptional()
  @IsFactIds()
  facts?: string[];
}

/** `questions.yaml`. */
export class QuestionBank {
  @IsArray({ message: 'must be a list of questions' })
  @ValidateNested({ each: true, message: 'each question must be a mapping' })
  @Type(() => Question)
  questions: Question[];
}

/** A question as the rest of the service sees it. */
export interface TrainingQuestion {
  readonly id: string;
  readonly article: string;
  readonly text: Readonly<Localized>;
  readonly choices: readonly { readonly id: string; readonly text: Readonly<Localized>; readonly correct: boolean }[];
  readonly explanation: Readonly<Localized>;
  /** Fact ids the question declares (content/facts.yaml); empty when none. */
  readonly facts: readonly string[];
  /** More than one correct choice. The client is told this, never which or how many. */
  readonly multiple: boolean;
}

/** A validated module with its lessons rendered; deeply frozen. */
export interface TrainingModule {
  readonly id: string;
  readonly revision: number;
  readonly minimumRevision: number;
  readonly title: Readonly<Localized>;
  readonly summary: Readonly<Localized>;
  readonly articles: readonly string[];
  readonly appliesWhen: AppliesWhen;
  readonly drawSize: number;
  readonly passMark: number;
  readonly estimatedMinutes: number;
  readonly timeLimitMinutes: number;
  readonly questions: readonly TrainingQuestion[];
  /** Fact ids the module declares for its lesson (content/facts.yaml); empty when none. */
  readonly facts: readonly string[];
  readonly lessonMarkdown: Readonly<Record<Lang, string>>;
  /** Rendered once at load by markdown-it with raw HTML disabled. */
  readonly lessonHtml: Readonly<Record<Lang, string>>;
  /** SHA-256 (hex) over the module's normalized files; see contentHash() in content-loader.ts. */
  readonly contentHash: string;
}

export interface LoadedContent {
  readonly modules: readonly TrainingModule[];
}
