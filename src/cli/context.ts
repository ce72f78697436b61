import { InvalidArgumentError } from 'commander'
import { externalUrl } from '../server/address.js'

// This module is loaded by `dsta-db --help`: it imports nothing heavy (no Slonik, zod, pg or Faker).

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
  /** Standard error is a terminal: progress bars and colour (unless NO_COLOR). Default: the process's own. */
  isTTY?: boolean
}

/**
 * Exit codes: 0 done, 1 failed, 2 wrong invocation, 3 refused by the production guard, 4 the server
 * `dsta-db up` served died under it.
 */
export type ExitCode = 1 | 2 | 3 | 4 | 130

/** A mistake the user can fix; the CLI prints the message alone. Exit 2 for a wrong invocation, 1 otherwise. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    readonly exitCode: ExitCode = 1,
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

/** `--force`: taken by every destructive command (see guard.ts). */
export interface GuardOptions {
  force?: boolean
}

export const FORCE_HELP =
  'act even on a database that is neither on a server dsta-db started nor named like a dev or test database'

const GUIDE_VARIABLES = ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD'] as const

/**
 * `--database-url`, else `DATABASE_URL`, else the guide's `DB_*` variables; a clear error when none
 * is set or the one used is not a PostgreSQL address (naming which one, never echoing a password).
 */
export function databaseUrl(options: ConnectionOptions, io: CliIo, source?: string): string {
  if (options.databaseUrl !== undefined) return checkedUrl(options.databaseUrl, source ?? '--database-url')
  if (io.env.DATABASE_URL) return checkedUrl(io.env.DATABASE_URL, 'DATABASE_URL')
  const port = io.env.DB_PORT
  if ((io.env.DB_HOST || io.env.DB_NAME) && port !== undefined && !isPort(port))
    throw new CliError(`DB_PORT "${port}" is not a port number: use a whole number from 1 to 65535`, 2)
  const url = externalUrl(io.env)
  if (url) return checkedUrl(url, GUIDE_VARIABLES.filter((name) => io.env[name] !== undefined).join(' / '))
  throw new CliError(
    'no database to connect to: pass --database-url postgresql://user:password@host:5432/dbname, set DATABASE_URL, ' +
      'or set DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASSWORD. No server yet? `dsta-db up` starts one and prints its DATABASE_URL.',
    2,
  )
}

const isPort = (text: string) => /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535

/** `url` when it is a postgresql:// address; else an error naming `source` (the option or variable). */
export function checkedUrl(url: string, source: string): string {
  const example = 'postgresql://user:password@host:5432/dbname'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    const port = /^[a-z]+:\/\/[^/?#]*:([^/?#@]*)(?:[/?#]|$)/i.exec(url)?.[1]
    const why = port !== undefined && !isPort(port) ? ` (port "${port}" is not a number from 1 to 65535)` : ''
    throw new CliError(`${source} is not a valid address${why}: expected ${example}`, 2)
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:')
    throw new CliError(
      `${source} is a "${parsed.protocol.slice(0, -1)}" address, not PostgreSQL: expected ${example}`,
      2,
    )
  if (!parsed.hostname && !parsed.searchParams.get('host'))
    throw new CliError(`${source} names no host: expected ${example}`, 2)
  return url
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

/** The database name in an address, e.g. `dsta_dev`, read as node-postgres reads it (`decodeURI`). */
export function databaseName(url: string): string {
  return decodeURI(new URL(url).pathname.slice(1)) || 'postgres'
}

/** Parses a whole-number option value; commander names the option in its error. */
export function wholeNumber(min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const number = Number(value)
    if (!/^\d+$/.test(value) || number < min || number > max)
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `must be a whole number ≥ ${min}.`
          : `must be a whole number from ${min} to ${max}.`,
      )
    return number
  }
}

/** Parses a positive number option value (fractions allowed), at most `max`. */
export function positiveNumber(max = Number.MAX_VALUE) {
  return (value: string): number => {
    const number = Number(value)
    if (!(number > 0) || !Number.isFinite(number)) throw new InvalidArgumentError('must be a number > 0.')
    if (number > max) throw new InvalidArgumentError(`must be at most ${max}.`)
    return number
  }
}

/** `Example: …` lines shown at the end of a command's `--help`. */
export function examples(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`
}
