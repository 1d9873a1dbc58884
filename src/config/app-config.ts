import { plainToInstance, Transform } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  validateSync,
} from 'class-validator';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ARGON2_PROFILE, MAX_HASH_MEMORY_KIB, MIN_HASH_MEMORY_KIB } from '../auth/password';
import { parseMailFrom, parseSmtpUrl } from './mail-settings';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;

/** proxy-addr's names for address ranges (what Fastify's trustProxy understands besides addresses). */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY as Fastify's `trustProxy` takes it: unset or empty means trust
 * nobody; a number 1–10 is the count of proxy hops; otherwise a list of
 * addresses, CIDR ranges or range names. `true` (trust every hop) is refused:
 * anyone could then choose their own address by sending X-Forwarded-For.
 */
export function parseTrustProxy(value: string | undefined): false | number | string[] {
  const v = (value ?? '').trim();
  if (!v || v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((s) => s.trim());
}

function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

@ValidatorConstraint({ name: 'isTrustProxy' })
class IsTrustProxy implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const parsed = parseTrustProxy(value);
    if (parsed === false) return true;
    if (typeof parsed === 'number') return parsed >= 1 && parsed <= 10;
    return parsed.every(isProxyEntry);
  }

  defaultMessage(): string {
    return 'must name the reverse proxies: addresses or CIDR ranges separated by commas (or loopback, linklocal, uniquelocal), or a hop count 1-10';
  }
}

/**
 * The environment, as the operator writes it. Every variable is validated at
 * start; a wrong value stops the process with a message naming the variable.
 */
@ValidatorConstraint({ name: 'isSmtpUrl' })
class IsSmtpUrl implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && parseSmtpUrl(value) !== null;
  }

  defaultMessage(): string {
    return 'must be smtp://[user:password@]host[:port] or smtps://…, with the user and password percent-encoded';
  }
}

@ValidatorConstraint({ name: 'isMailFrom' })
class IsMailFrom implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && parseMailFrom(value) !== null;
  }

  defaultMessage(): string {
    return 'must be one e-mail address, optionally with a name: "研修事務局 <training@example.jp>"';
  }
}

export class EnvironmentVariables {
  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt({ message: 'must be an integer port number' })
  PORT?: number;

  /** Address to listen on: all interfaces by default; 127.0.0.1 behind a local reverse proxy (or for the benchmark). */
  @IsOptional()
  @Matches(/^[0-9A-Za-z.:_-]{1,253}$/, { message: 'must be an IP address or host name' })
  HOST?: string;

  @IsOptional()
  @IsString()
  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'must be sqlite:<file path> or postgres://user:pass@host:5432/db',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_DIR?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'must be an http(s) URL' })
  PUBLIC_BASE_URL?: string;

  @IsOptional()
  @IsEmail({}, { message: 'must be an e-mail address' })
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'must be at least 12 characters' })
  ADMIN_PASSWORD?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  /**
   * Memory of the argon2id password hash, in KiB. OWASP's profile (19456, with t = 2, p = 1) by default;
   * the floor (1024) exists for the tests, which lower it to stay fast. See src/auth/password.ts.
   */
  @IsOptional()
  @Transform(toInt)
  @Min(MIN_HASH_MEMORY_KIB)
  @Max(MAX_HASH_MEMORY_KIB)
  @IsInt({ message: 'must be an integer number of KiB' })
  PASSWORD_HASH_MEMORY_KIB?: number;

  /**
   * The reverse proxies whose `X-Forwarded-For` names the client: a comma-separated list of
   * addresses or CIDR ranges (or `loopback`, `linklocal`, `uniquelocal`), or the number of proxy hops
   * in front. Unset: trust nobody, the client is the connection's address (X-Forwarded-For is ignored).
   */
  @IsOptional()
  @Validate(IsTrustProxy)
  TRUST_PROXY?: string;

  @IsOptional()
  @IsString()
  CONTENT_DIR?: string;

  /** Failed quiz attempts in a row before a cool-down. */
  @IsOptional()
  @Transform(toInt)
  @Min(1)
  @Max(100)
  @IsInt({ message: 'must be an integer' })
  QUIZ_MAX_FAILURES?: number;

  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(1440)
  @IsInt({ message: 'must be an integer' })
  QUIZ_COOLDOWN_MINUTES?: number;

  /** PKCS#8 PEM of the Ed25519 signing key, for several instances sharing one key; otherwise a key file in DATA_DIR. */
  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN PRIVATE KEY-----/, { message: 'must be a PKCS#8 PEM private key' })
  SIGNING_KEY_PEM?: string;

  /** PKCS#8 PEM of the P-256 key that signs the Open Badges 3.0 JWT form (ES256); otherwise a key file in DATA_DIR. */
  @IsOptional()
  @IsString()
  @Matches(/-----BEGIN PRIVATE KEY-----/, { message: 'must be a PKCS#8 PEM private key' })
  SIGNING_KEY_ES256_PEM?: string;

  /** Base64 of 32 random bytes: the key that encrypts personal data at rest, for several instances sharing one database; otherwise a key file in DATA_DIR (docs/data-protection.md). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/_-]{43}=?$/, { message: 'must be base64 of 32 bytes' })
  DATA_ENCRYPTION_KEY?: string;

  /** Comma-separated older data keys (same form), still read while `keys:rotate-data` re-encrypts. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/_-]{43}=?(,[A-Za-z0-9+/_-]{43}=?)*$/, { message: 'must be comma-separated base64 of 32 bytes' })
  DATA_ENCRYPTION_PREVIOUS_KEYS?: string;

  /** Days between a town's close-out of an engagement and the earliest erasure of its workers' personal data; 0: at once on confirmation. */
  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(3650)
  @IsInt({ message: 'must be an integer number of days' })
  RETENTION_DAYS?: number;

  /**
   * The mail relay: `smtp://user:pass@host:587` (STARTTLS when the relay offers it), `smtps://…:465`
   * (TLS from the start), or `smtp://host:25` without credentials for a relay that trusts the network.
   * Unset: messages stay in the outbox (/admin/outbox) and nothing is sent. Never echoed (it holds a password).
   */
  @IsOptional()
  @Validate(IsSmtpUrl)
  SMTP_URL?: string;

  /** The sender of every message; required with SMTP_URL (a relay checks it). */
  @IsOptional()
  @Validate(IsMailFrom)
  MAIL_FROM?: string;

  /** How often an idle sender looks for messages to send, in seconds; 0: only when asked (the tests drain explicitly). */
  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(3600)
  @IsInt({ message: 'must be an integer number of seconds' })
  MAIL_POLL_SECONDS?: number;

  /** How often each instance looks for automatic mail that is due (reminders, expiring certificates), in minutes; 0 turns it off. */
  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(1440)
  @IsInt({ message: 'must be an integer number of minutes' })
  MAIL_SCHEDULE_MINUTES?: number;

  /** How often the C heap's free pages go back to the system (glibc's malloc_trim: src/system/malloc-trim.ts), in seconds; 0 turns it off. */
  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(3600)
  @IsInt({ message: 'must be an integer number of seconds' })
  MALLOC_TRIM_SECONDS?: number;
}

/** Secrets: their values are never echoed in a configuration error. */
const SECRET_VARIABLES: Record<string, string> = {
  ADMIN_PASSWORD: 'too short',
  SIGNING_KEY_PEM: 'must be a PKCS#8 PEM private key',
  SIGNING_KEY_ES256_PEM: 'must be a PKCS#8 PEM private key',
  SMTP_URL: new IsSmtpUrl().defaultMessage(),
  DATA_ENCRYPTION_KEY: 'must be base64 of 32 bytes',
  DATA_ENCRYPTION_PREVIOUS_KEYS: 'must be comma-separated base64 of 32 bytes',
};

export type DatabaseKind = 'sqlite' | 'postgres';

/** The validated configuration; a class so it can type injected constructor parameters. */
export class AppConfig {
  port!: number;
  host!: string;
  databaseUrl!: string;
  databaseKind!: DatabaseKind;
  /** SQLite file path, for sqlite: URLs. */
  sqlitePath?: string;
  dataDir!: string;
  publicBaseUrl!: string;
  adminEmail?: string;
  adminPassword?: string;
  logLevel!: string;
  passwordHashMemoryKiB!: number;
  /** Fastify's `trustProxy`: false (nobody), a hop count, or the proxies' addresses and ranges. */
  trustProxy!: false | number | string[];
  contentDir!: string;
  quizMaxFailures!: number;
  quizCooldownMinutes!: number;
  signingKeyPem?: string;
  signingKeyEs256Pem?: string;
  /** The mail relay (nodemailer's connection URL); undefined: messages stay in the outbox. */
  smtpUrl?: string;
  /** The From header of every message: `"name" <address>`. */
  mailFrom!: string;
  /** Seconds between the sender's looks for due messages; 0: only when asked. */
  mailPollSeconds!: number;
  /** Minutes between the scheduler's looks for automatic mail; 0: off. */
  mailScheduleMinutes!: number;
  /** Base64 of the current data key; undefined: the key files in DATA_DIR/keys. Never echoed. */
  dataEncryptionKey?: string;
  /** Older data keys still read during a rotation. */
  dataEncryptionPreviousKeys!: string[];
  /** Days after a close-out before erasure is allowed; 0: at once on confirmation. */
  retentionDays!: number;
  /** Seconds between two malloc_trim calls; 0: off. */
  mallocTrimSeconds!: number;
}

export class ConfigError extends Error {}

/** The sender while no relay is configured: the messages only wait in the outbox. `.invalid` is reserved (RFC 2606). */
export const DEFAULT_MAIL_FROM = '"従事者情報セキュリティ研修" <no-reply@article4-lms.invalid>';

export const APP_CONFIG = Symbol('APP_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = plainToInstance(EnvironmentVariables, { ...env }, { excludeExtraneousValues: false });
  const errors = validateSync(raw, { skipMissingProperties: false, whitelist: false, stopAtFirstError: true });
  if (errors.length) {
    // Values of secrets are not echoed back.
    const lines = errors.map((e) =>
      e.property in SECRET_VARIABLES
        ? `${e.property}: ${SECRET_VARIABLES[e.property]}`
        : `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (got ${JSON.stringify(e.value)})`,
    );
    throw new ConfigError(`Invalid environment: ${lines.join(', ')}`);
  }
  if (raw.SMTP_URL && !raw.MAIL_FROM) throw new ConfigError('Invalid environment: MAIL_FROM: is required with SMTP_URL');
  const port = raw.PORT ?? 3000;
  const dataDir = resolve(raw.DATA_DIR ?? './data');
  const databaseUrl = raw.DATABASE_URL ?? `sqlite:${dataDir}/article4.sqlite`;
  const databaseKind: DatabaseKind = databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres';
  return {
    port,
    host: raw.HOST ?? '0.0.0.0',
    databaseUrl,
    databaseKind,
    sqlitePath: databaseKind === 'sqlite' ? resolve(databaseUrl.slice('sqlite:'.length)) : undefined,
    dataDir,
    publicBaseUrl: (raw.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    adminEmail: raw.ADMIN_EMAIL,
    adminPassword: raw.ADMIN_PASSWORD,
    logLevel: raw.LOG_LEVEL ?? 'info',
    passwordHashMemoryKiB: raw.PASSWORD_HASH_MEMORY_KIB ?? ARGON2_PROFILE.memoryKiB,
    trustProxy: parseTrustProxy(raw.TRUST_PROXY),
    contentDir: resolve(raw.CONTENT_DIR ?? resolve(__dirname, '..', '..', 'content')),
    quizMaxFailures: raw.QUIZ_MAX_FAILURES ?? 3,
    quizCooldownMinutes: raw.QUIZ_COOLDOWN_MINUTES ?? 10,
    signingKeyPem: raw.SIGNING_KEY_PEM,
    signingKeyEs256Pem: raw.SIGNING_KEY_ES256_PEM,
    smtpUrl: raw.SMTP_URL || undefined,
    mailFrom: raw.MAIL_FROM ?? DEFAULT_MAIL_FROM,
    mailPollSeconds: raw.MAIL_POLL_SECONDS ?? 2,
    mailScheduleMinutes: raw.MAIL_SCHEDULE_MINUTES ?? 10,
    dataEncryptionKey: raw.DATA_ENCRYPTION_KEY || undefined,
    dataEncryptionPreviousKeys: raw.DATA_ENCRYPTION_PREVIOUS_KEYS ? raw.DATA_ENCRYPTION_PREVIOUS_KEYS.split(',') : [],
    retentionDays: raw.RETENTION_DAYS ?? 0,
    mallocTrimSeconds: raw.MALLOC_TRIM_SECONDS ?? 1,
  };
}
