import { Writable } from 'node:stream';
import pino from 'pino';
import { PinoLoggerService } from '../../src/logger-service';

/** Nest's lines as the pino logger writes them (JSON lines captured in memory). */
function captured(): { lines: Record<string, unknown>[]; service: PinoLoggerService } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, service: new PinoLoggerService(pino({ level: 'trace' }, sink)) };
}

describe('PinoLoggerService', () => {
  it('given Nest log calls with a context, then pino gets one line each at the matching level, with the context and an error stack', () => {
    const { lines, service } = captured();
    service.log('Mapped {/api/students, POST} route', 'RouterExplorer');
    service.warn('slow', 'Scheduler');
    service.error('boom', 'Error: boom\n    at x', 'ExceptionsHandler');
    service.verbose('fine detail');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([
      [30, 'Mapped {/api/students, POST} route', 'RouterExplorer'],
      [40, 'slow', 'Scheduler'],
      [50, 'boom', 'ExceptionsHandler'],
      [10, 'fine detail', undefined],
    ]);
    expect(lines[2].stack).toBe('Error: boom\n    at x');
  });
});
