import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the SMTP server received it, parsed by mailparser. */
export interface Received {
  /** The envelope recipients (RCPT TO). */
  to: string[];
  from: string;
  parsed: ParsedMail;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Our X-Idempotency-Key header. */
  key: string;
}

export interface TestSmtp {
  port: number;
  /** SMTP_URL for the service: credentials included when the server requires them. */
  url: string;
  received: Received[];
  /**
   * How the server answers the next DATA commands: an SMTP reply code for each
   * (451 temporary, 550 permanent), shifted off as messages arrive; empty: accepted.
   */
  rejectNext: number[];
  /** Milliseconds the server waits before accepting each message (a slow relay). */
  delayMs: number;
  /** Received messages to `address` (envelope), oldest first. */
  to(address: string): Received[];
  /** Waits until `predicate` holds for the received list (polling), or fails after `timeoutMs`. */
  waitFor(predicate: (all: Received[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server, from the nodemailer project) on 127.0.0.1
 * and a free port, that requires a login (AUTH PLAIN/LOGIN over the plain
 * connection, as a relay on a trusted network might), keeps every message it
 * accepts, parsed with mailparser, and can be told to refuse or delay.
 */
export async function startSmtp(options: { user?: string; password?: string } = {}): Promise<TestSmtp> {
  const user = options.user ?? 'relay-user';
  const password = options.password ?? 'relay-p@ss/word';
  const received: Received[] = [];
  const state = { rejectNext: [] as number[], delayMs: 0 };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        async (parsed) => {
          const code = api.rejectNext.shift();
          if (code) {
            const err = new Error(code >= 500 ? 'Mailbox unavailable <someone@example.jp>' : 'Try again later') as Error & {
              responseCode: number;
            };
            err.responseCode = code;
            return callback(err);
          }
          if (api.delayMs) await new Promise((r) => setTimeout(r, api.delayMs));
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            parsed,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
            key: String(parsed.headers.get('x-idempotency-key') ?? ''),
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  // smtp-server emits a client's broken connection as the server's 'error' (ECONNRESET when the multi-instance
  // suite kills the service mid-message); unhandled, it would end the test run. It is the sender's to report.
  server.on('error', () => undefined);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo).port;
  const api: TestSmtp = {
    port,
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    received,
    rejectNext: state.rejectNext,
    delayMs: 0,
    to: (address) => received.filter((r) => r.to.includes(address)),
    async waitFor(predicate, timeoutMs = 30_000, what = 'messages') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${received.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
  return api;
}

/** The link in a message's text that starts with `prefix` (the service's base URL and path). */
export function linkIn(text: string, prefix: string): string {
  const found = text.match(new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\s\\]>"]*`));
  if (!found) throw new Error(`no link starting with ${prefix} in:\n${text}`);
  return found[0];
}

/** The code in a link's `code` query parameter. */
export const codeOf = (link: string) => new URL(link).searchParams.get('code')!;
