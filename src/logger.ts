import pino, { type Logger } from 'pino';

/** The process logger: JSON lines, or pretty lines when writing to a terminal. */
export function createLogger(level: string, nodeId: string): Logger {
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return pino({
    level,
    base: { node: nodeId },
    transport: pretty ? { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } : undefined,
  });
}
