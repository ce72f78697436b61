/**
 * The server went away under a run (its postmaster killed, the machine lost, a restart): every
 * query of every test then fails the same way. These say so once, in words, instead of a stack per
 * test: `isServerGone` recognises the errors, `ServerGoneError` is the short one tests fail with.
 */

// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08006 connection_failure,
// 08003 connection_does_not_exist; and the socket's own words when the process is simply gone.
const GONE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08003',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
])
const GONE_TEXT =
  /Connection terminated unexpectedly|Connection terminated|terminating connection due to|the database system is shutting down|the database system is in recovery mode|Client has encountered a connection error and is not queryable|server closed the connection unexpectedly/i

/** Whether `error` (or one of its causes) says the server is gone. */
export function isServerGone(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (current instanceof ServerGoneError) return true
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown }
    if (typeof code === 'string' && GONE_CODES.has(code)) return true
    if (typeof message === 'string' && GONE_TEXT.test(message)) return true
    current = cause
  }
  return false
}

/** A short reason from the error that showed it: `connection refused`, `terminating connection …`. */
export function goneReason(error: unknown): string {
  let current = error
  while ((current as { cause?: unknown })?.cause) current = (current as { cause: unknown }).cause
  const { code, message } = (current ?? {}) as { code?: string; message?: string }
  if (code === 'ECONNREFUSED') return 'connection refused'
  if (code === 'ECONNRESET') return 'connection reset'
  return (message ?? String(current)).split('\n')[0] ?? 'connection lost'
}

/** What a test fails with once its server is gone: one line, no stack of our frames or pg's. */
export class ServerGoneError extends Error {
  constructor(reason: string) {
    // No `cause`: reporters would print its stack, and the reason is all there is to say.
    super(`dsta-db: the PostgreSQL server is gone (${reason}); the run stops`)
    this.name = 'ServerGoneError'
    this.stack = `${this.name}: ${this.message}`
  }
}

/** Rethrows `error` as a `ServerGoneError` when it says the server is gone, else as it is. */
export function asServerGone(error: unknown): unknown {
  if (error instanceof ServerGoneError || !isServerGone(error)) return error
  return new ServerGoneError(goneReason(error))
}
