/**
 * PostgreSQL SQLSTATE classes and socket errors that mean "the database cannot serve now"
 * (PostgreSQL docs, Appendix A: class 08 connection exception, 57P01-57P03 shutdown / cannot
 * connect now, 53300 too many connections): a retry later can succeed. RPCs answer UNAVAILABLE;
 * consumers retry the message without spending an attempt.
 */
const DATABASE_UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const SOCKET_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when `error` says the database cannot serve now (see above), not that the query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('08') || DATABASE_UNAVAILABLE_SQLSTATES.has(code) || SOCKET_ERROR_CODES.has(code))) return true;
  // pg reports a connection closed under a query with these messages and no code.
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message);
}
