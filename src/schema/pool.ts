import type { ClientConfigurationInput, DatabasePool, DriverTypeParser, Interceptor } from 'slonik'
import { slonik, slonikIfLoaded } from './slonik.js'

/**
 * How rows come back from PostgreSQL. Slonik's defaults turn `numeric` into a lossy float and
 * `timestamptz` into epoch ms; market data needs every digit and real dates.
 */
export const typeParsers: DriverTypeParser[] = [
  { name: 'int8', parse: (value) => BigInt(value) },
  { name: 'numeric', parse: (value) => value },
  { name: 'timestamptz', parse: (value) => new Date(value) },
  { name: 'timestamp', parse: (value) => new Date(`${value}Z`) },
]

/**
 * Makes `sql.type(schema)` validate rows: Slonik only does so through an interceptor like this one.
 * Synchronous: Slonik runs an async row transformer through a queue of its own for every query,
 * typed or not (a task per row, a macrotask every 100 rows). Standard-schema validators answer
 * synchronously unless the schema has async checks, which are refused with a clear error.
 */
export const resultParserInterceptor: Interceptor = {
  name: 'dsta-db/result-parser',
  transformRow: (context, query, row) => {
    const parser = context.resultParser
    if (!parser) return row
    const result = parser['~standard'].validate(row)
    if (result instanceof Promise) {
      result.catch(() => {}) // refused below; its own outcome is nobody's
      throw new TypeError(
        'dsta-db: sql.type() needs a synchronous schema (no async refinements): rows are checked as they arrive',
      )
    }
    if (!result.issues) return result.value as typeof row
    // Slonik's own error when our createDstaPool loaded it; a plain one with the same fields otherwise.
    const SchemaValidationError = slonikIfLoaded()?.SchemaValidationError
    if (SchemaValidationError) throw new SchemaValidationError(query, row, result.issues)
    throw Object.assign(new Error('Query returned rows that do not conform with the schema.'), {
      name: 'SchemaValidationError',
      sql: query.sql,
      row,
      issues: result.issues,
    })
  },
}

/** A Slonik pool that returns exact decimals, Dates and bigints, and validates typed queries. */
export async function createDstaPool(
  url: string,
  config: ClientConfigurationInput = {},
): Promise<DatabasePool> {
  return (await slonik()).createPool(url, {
    typeParsers,
    ...config,
    interceptors: [resultParserInterceptor, ...(config.interceptors ?? [])],
  })
}
