import { redact } from '../server/address.js'

export type MigrationErrorCode =
  | 'BAD_FILE'
  | 'DUPLICATE_VERSION'
  | 'EDITED'
  | 'MISSING'
  | 'OUT_OF_ORDER'
  | 'UNKNOWN_TARGET'
  | 'NO_DOWN'
  | 'STATEMENT'
  | 'LOCK_TIMEOUT'
  | 'BAD_OPTION'
  | 'CONNECTION'

/**
 * A mistake the user can fix: the message says what, where (file and line when known) and what to
 * do. A CLI prints `message` alone; no stack of ours is useful to the reader.
 */
export class MigrationError extends Error {
  override readonly name = 'MigrationError'
  readonly code: MigrationErrorCode
  /** The migration file at fault, when there is one. */
  readonly file?: string
  /** 1-based line in `file`. */
  readonly line?: number

  constructor(
    code: MigrationErrorCode,
    message: string,
    where: { file?: string | undefined; line?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause })
    this.code = code
    if (where.file !== undefined) this.file = where.file
    if (where.line !== undefined) this.line = where.line
  }
}

/** The server could not be reached: say which one (password masked) and why. */
export function connectionError(url: string, cause: unknown): MigrationError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new MigrationError('CONNECTION', `cannot connect to ${redact(url)}: ${reason}`, { cause })
}

/** Errors that mean "could not get a session": refused, unknown host, bad password, no such database. */
export function isConnectionFailure(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as NodeJS.ErrnoException).code
    if (cause.name === 'ConnectionError') return true
    if (code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET|28P01|28000|3D000)$/.test(code))
      return true
  }
  return false
}
