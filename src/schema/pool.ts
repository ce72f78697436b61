import type { ClientConfigurationInput, DatabasePool, DriverTypeParser, Interceptor } from 'slonik'
import { slonik } from './slonik.js'

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
export function resultParserInterceptor(
  SchemaValidationError: typeof import('slonik').SchemaValidationError,
): Interceptor {
  return {
    name: 'dsta-db/result-parser',
    transformRow: (context, query, row) => {
      const parser = context.resultParser
      if (!parser) return row
      const result = parser['~standard'].validate(row)
      if (result instanceof Promise)
        throw new TypeError(
          'dsta-db: sql.type() needs a synchronous schema (no async refinements): rows are checked as they arrive',
        )
      if (result.issues) throw new SchemaValidationError(query, row, result.issues)
      return result.value as typeof row
    },
  }
}

/** A Slonik pool that returns exact decimals, Dates and bigints, and validates typed queries. */
export async function createDstaPool(
  url: string,
  config: ClientConfigurationInput = {},
): Promise<DatabasePool> {
  const { createPool, SchemaValidationError } = await slonik()
  return createPool(url, {
    typeParsers,
    ...config,
    interceptors: [resultParserInterceptor(SchemaValidationError), ...(config.interceptors ?? [])],
  })
}
