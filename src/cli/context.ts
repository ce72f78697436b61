import { InvalidArgumentError } from 'commander'
import { type DatabasePool, sql } from 'slonik'
import { createDstaPool } from '../schema/index.js'
import { externalUrl, redact } from '../server/index.js'

/** Where a command writes and what it reads from its surroundings; tests pass their own. */
export interface CliIo {
  /** Writes text as is (commands add their own newlines). */
  stdout(text: string): void
  stderr(text: string): void
  env: NodeJS.ProcessEnv
  /** Resolves relative paths (fixtures, --output, --dir); default `process.cwd()`. */
  cwd: string
  /** Ends a long-running command (`up`); the CLI's main wires SIGINT and SIGTERM to it. */
  signal?: AbortSignal
}

/** A mistake the user can fix; the CLI prints the message alone. Exit 2 for a wrong invocation, 1 otherwise. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message)
  }
}

/** The `--database-url` option every command that talks to a database takes. */
export interface ConnectionOptions {
  databaseUrl?: string | undefined
}

export const CONNECTION_HELP =
  'address of the database (default: DATABASE_URL, else DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASSWORD)'

/** `--database-url`, else `DATABASE_URL`, else the guide's `DB_*` variables; a clear error when none is set. */
export function databaseUrl(options: ConnectionOptions, io: CliIo): string {
  const url = options.databaseUrl ?? externalUrl(io.env)
  if (url) return url
  throw new CliError(
    'no database to connect to: pass --database-url postgresql://user:password@host:5432/dbname, set DATABASE_URL, ' +
      'or set DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASSWORD. No server yet? `dsta-db up` starts one and prints its DATABASE_URL.',
    2,
  )
}

/**
 * A pool for one command: no statement or idle-in-transaction timeouts (a load or a generate may
 * take minutes) and no retries that would hide a failure. Always ended, whatever happens.
 */
export async function withPool<T>(url: string, work: (pool: DatabasePool) => Promise<T>): Promise<T> {
  const unreachable = (error: unknown) =>
    new CliError(`cannot connect to ${redact(url)}: ${rootMessage(error)}`)
  const pool = await createDstaPool(url, {
    maximumPoolSize: 2,
    statementTimeout: 'DISABLE_TIMEOUT',
    idleInTransactionSessionTimeout: 'DISABLE_TIMEOUT',
    queryRetryLimit: 0,
    transactionRetryLimit: 0,
    connectionRetryLimit: 0,
    connectionTimeout: 10_000,
  }).catch((error: unknown) => {
    throw unreachable(error)
  })
  try {
    // fail early, with the address in the message, rather than in the middle of the command
    await pool.query(sql.unsafe`SELECT 1`).catch((error: unknown) => {
      throw unreachable(error)
    })
    return await work(pool)
  } finally {
    await pool.end()
  }
}

/** The innermost message of an error chain: pg's words rather than a wrapper's. */
export function rootMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error)
  for (let cause = (error as Error)?.cause; cause instanceof Error; cause = cause.cause)
    if (cause.message) message = cause.message
  if (error instanceof AggregateError && error.errors[0] instanceof Error) message = error.errors[0].message
  return message || String(error)
}

/** Writes one line. */
export const say = (io: CliIo, line = '') => io.stdout(`${line}\n`)

/** The database name in an address, e.g. `dsta_dev`. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres'
}

/** Parses a whole-number option value; commander names the option in its error. */
export function wholeNumber(min = 0) {
  return (value: string): number => {
    const number = Number(value)
    if (!/^\d+$/.test(value) || number < min)
      throw new InvalidArgumentError(`must be a whole number ≥ ${min}.`)
    return number
  }
}

/** Parses a positive number option value (fractions allowed). */
export function positiveNumber(value: string): number {
  const number = Number(value)
  if (!(number > 0) || !Number.isFinite(number)) throw new InvalidArgumentError('must be a number > 0.')
  return number
}
