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

/** Makes `sql.type(schema)` validate rows: Slonik only does so through an interceptor like this one. */
export const resultParserInterceptor: Interceptor = {
  name: 'dsta-db/result-parser',
  transformRowAsync: async (context, query, row) => {
    const parser = context.resultParser
    if (!parser) return row
    const result = await parser['~standard'].validate(row)
    if (result.issues) throw new (await slonik()).SchemaValidationError(query, row, result.issues)
    return result.value as typeof row
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
