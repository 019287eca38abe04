/** The logging surface libraries need; services give a JSON implementation. */
export interface StructuredLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: StructuredLogger = { info() {}, warn() {}, error() {} };
