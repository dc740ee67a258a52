import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Fields no log line may carry, wherever a request, a body or an error puts them: credentials in
 * headers (bearer tokens, session and CSRF cookies), passwords in bodies, and what errors copy
 * of the request. pino replaces each with `[Redacted]`.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
  'req.body.password',
  'body.password',
  'password',
  'passwordHash',
  'accessToken',
  '*.password',
  '*.passwordHash',
  '*.accessToken',
  '*.authorization',
  'err.config.headers.authorization',
  'err.request.headers.authorization',
];

/** What stands in for a credential found inside free text. */
const REDACTED = '[Redacted]';
/** `Bearer <token>` in any case, and anything shaped like a JWT (three base64url parts, the first a JSON header). */
const SECRET_TEXT = [/(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g];

/**
 * Credentials inside free text (a message, an error's message or stack) replaced by `[Redacted]`.
 *
 * @example scrubSecrets('bad header Bearer eyJhbGciOi.x.y') // 'bad header Bearer [Redacted]'
 */
export function scrubSecrets(text: string): string {
  return SECRET_TEXT.reduce((out, pattern) => out.replace(pattern, (_m, prefix?: unknown) => `${typeof prefix === 'string' ? prefix : ''}${REDACTED}`), text);
}

/**
 * The process logger: JSON lines, or pretty lines when writing to a terminal unless `format` is
 * `json` (the node's LOG_FORMAT). Credentials never reach a line: LOG_REDACT_PATHS are redacted,
 * and messages and errors are scrubbed of bearer tokens and JWTs (scrubSecrets).
 */
export function createLogger(level: string, nodeId: string, destination?: DestinationStream, format: 'json' | 'pretty' = 'pretty'): Logger {
  const pretty = destination === undefined && process.stdout.isTTY && format !== 'json';
  const options: pino.LoggerOptions = {
    level,
    base: { node: nodeId },
    redact: { paths: [...LOG_REDACT_PATHS], censor: REDACTED },
    serializers: { err: scrubbedError },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg: unknown) => (typeof arg === 'string' ? scrubSecrets(arg) : arg)) as Parameters<typeof method>);
      },
    },
    transport: pretty ? { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } : undefined,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** pino's error serializer, with credentials scrubbed from the message and stack. */
function scrubbedError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (typeof serialized !== 'object' || serialized === null) return serialized;
  const out: Record<string, unknown> = { ...serialized };
  if (typeof out.message === 'string') out.message = scrubSecrets(out.message);
  if (typeof out.stack === 'string') out.stack = scrubSecrets(out.stack);
  return out;
}
