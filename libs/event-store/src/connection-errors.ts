/**
 * Errors that say the database went away (restarted, connection cut, too many clients), not that a
 * handler is wrong. A subscription does not count them against an event — a Postgres restart must
 * never park an event as a dead letter — it reconnects and tries the batch again.
 */
const CONNECTION_SQLSTATE = /^(08|53|57P0[1-3])/; // connection exceptions, insufficient resources, admin/crash shutdown
const CONNECTION_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);
const CONNECTION_MESSAGES = /Connection terminated|connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed/i;

export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (CONNECTION_SQLSTATE.test(code) || CONNECTION_NODE_CODES.has(code)) return true;
  return typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message);
}
