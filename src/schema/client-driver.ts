import { Readable } from 'node:stream'
import type pg from 'pg'
import {
  BackendTerminatedError,
  BackendTerminatedUnexpectedlyError,
  CheckExclusionConstraintViolationError,
  CheckIntegrityConstraintViolationError,
  createDriverFactory,
  type DriverFactory,
  type DriverTypeParser,
  ForeignKeyIntegrityConstraintViolationError,
  IdleTransactionTimeoutError,
  InputSyntaxError,
  InvalidInputError,
  NotNullIntegrityConstraintViolationError,
  StatementCancelledError,
  StatementTimeoutError,
  UniqueIntegrityConstraintViolationError,
} from 'slonik'
import type { Link } from '../isolation/link.js'
import { send } from '../isolation/link.js'
import { BUILTIN_OIDS, pgTypesFor } from './pg-types.js'

// Slonik's pg driver opens its own pg.Client per connection (and one more to look up type oids).
// This driver runs Slonik over a client that is already open and already inside the test file's
// transaction, so Slonik's `db` and node-postgres code share that transaction. Errors are wrapped as
// Slonik's pg driver wraps them; rows are parsed by the pool's type parsers, per query, so the same
// client still gives node-postgres' own types to `pool` users.

/** Parsers of types outside the built-in table are looked up once, on the client. */
async function typeOverrides(link: Link, typeParsers: readonly DriverTypeParser[]) {
  const unknown = typeParsers.filter((parser) => !BUILTIN_OIDS[parser.name]).map((parser) => parser.name)
  const oids: Record<string, [number, number]> = {}
  if (unknown.length) {
    const found = await send(link, (client) =>
      client.query<{ oid: number; typarray: number; typname: string }>(
        'SELECT oid::int, typarray::int, typname FROM pg_type WHERE typname = ANY($1::text[])',
        [unknown],
      ),
    )
    for (const row of found.rows) oids[row.typname] = [row.oid, row.typarray]
  }
  return pgTypesFor(typeParsers, oids)
}

function wrapError(
  error: Error & { code?: string },
  query: { sql: string; values: unknown[] } | null,
): Error {
  const message = error.message.toLowerCase()
  if (message.includes('connection terminated unexpectedly'))
    return new BackendTerminatedUnexpectedlyError(error)
  if (message.includes('connection terminated')) return new BackendTerminatedError(error)
  switch (error.code) {
    case '22P02':
      return new InvalidInputError(error.message)
    case '25P03':
      return new IdleTransactionTimeoutError(error)
    case '57P01':
      return new BackendTerminatedError(error)
    case '57014':
      return error.message.includes('canceling statement due to user request')
        ? new StatementCancelledError(error)
        : new StatementTimeoutError(error)
    case '23502':
      return new NotNullIntegrityConstraintViolationError(error)
    case '23503':
      return new ForeignKeyIntegrityConstraintViolationError(error)
    case '23505':
      return new UniqueIntegrityConstraintViolationError(error)
    case '23P01':
      return new CheckExclusionConstraintViolationError(error)
    case '23514':
      return new CheckIntegrityConstraintViolationError(error)
    case '42601':
      return query ? new InputSyntaxError(error, query as never) : error
    default:
      return error
  }
}

/**
 * A Slonik driver over `link`'s client. `hold` says how Slonik's own outermost transaction maps:
 * the file's transaction is already open, so the `START TRANSACTION` that opens the held
 * connection, and the `ROLLBACK` that closes it, are not sent.
 */
export function linkDriverFactory(link: Link, hold: { closing: boolean }): DriverFactory {
  return createDriverFactory(async ({ driverConfiguration }) => {
    const types = await typeOverrides(link, driverConfiguration.typeParsers)
    let opened = false
    return {
      createPoolClient: async () => ({
        connect: async () => {},
        end: async () => {}, // the run owns the client
        query: async (sql, values) => {
          if (!opened && sql === 'START TRANSACTION') {
            opened = true
            return { command: 'SELECT', fields: [], rowCount: 0, rows: [] }
          }
          if (hold.closing && (sql === 'ROLLBACK' || sql === 'COMMIT'))
            return { command: 'SELECT', fields: [], rowCount: 0, rows: [] }
          let result: pg.QueryResult | pg.QueryResult[]
          try {
            result = await send(link, (client) =>
              client.query({ text: sql, values: values as unknown[], types }),
            )
          } catch (error) {
            throw wrapError(error as Error, { sql, values: (values ?? []) as unknown[] })
          }
          if (Array.isArray(result))
            throw new InvalidInputError('Must not use multiple statements in a single query.')
          return {
            command: result.command as 'SELECT',
            fields: result.fields.map((field) => ({ dataTypeId: field.dataTypeID, name: field.name })),
            rowCount: result.rowCount,
            rows: result.rows,
          }
        },
        // The whole result at once, then streamed: this client cannot run a cursor beside other queries.
        stream: (sql, values) => {
          const rows = send(link, (client) => client.query({ text: sql, values: values as unknown[], types }))
          return Readable.from(
            (async function* () {
              let result: pg.QueryResult
              try {
                result = await rows
              } catch (error) {
                throw wrapError(error as Error, { sql, values: (values ?? []) as unknown[] })
              }
              const fields = result.fields.map((field) => ({
                dataTypeId: field.dataTypeID,
                name: field.name,
              }))
              for (const row of result.rows) yield { fields, row }
            })(),
          ) as never
        },
      }),
    }
  })
}
