import { LoggerService } from '@nestjs/common';
import { StructuredLogger } from '@swe-sim/event-store';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

/** One JSON object per line on stdout, for Nest and for our own code. */
export class JsonLogger implements LoggerService, StructuredLogger {
  constructor(
    private readonly service: string,
    private readonly level: LogLevel = 'info',
    private readonly write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  ) {}

  info(message: string, fields?: Record<string, unknown>): void {
    this.emit('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.emit('warn', message, fields);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, fieldsOf(rest));
  }
  // Nest's LoggerService surface
  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, fieldsOf(rest));
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, fieldsOf(rest));
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, fieldsOf(rest));
  }

  private emit(level: LogLevel, message: unknown, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    const msg = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
    this.write(JSON.stringify({ time: new Date().toISOString(), level, service: this.service, msg, ...fields }));
  }
}

/** Nest passes (context) or (stack, context) after the message; structured callers pass one object. */
function fieldsOf(rest: unknown[]): Record<string, unknown> | undefined {
  if (rest.length === 1 && rest[0] && typeof rest[0] === 'object') return rest[0] as Record<string, unknown>;
  const strings = rest.filter((r): r is string => typeof r === 'string');
  if (strings.length === 0) return undefined;
  return strings.length === 1 ? { context: strings[0] } : { stack: strings[0], context: strings[strings.length - 1] };
}
