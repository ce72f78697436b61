import type { CommonQueryMethods, DatabaseTransactionConnection } from 'slonik'

const QUERY_METHODS = new Set<keyof CommonQueryMethods>([
  'any',
  'anyFirst',
  'exists',
  'many',
  'manyFirst',
  'maybeOne',
  'maybeOneFirst',
  'one',
  'oneFirst',
  'query',
  'stream',
  'transaction',
])

/**
 * `connection`, but every query first runs `before` (e.g. a deferred test rollback), and its errors
 * go through `mapError` (e.g. a lost server's become one short line).
 */
export function guarded(
  connection: DatabaseTransactionConnection,
  before: (() => Promise<void>) | undefined,
  mapError: (error: unknown) => unknown,
): DatabaseTransactionConnection {
  return new Proxy(connection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || !QUERY_METHODS.has(property as keyof CommonQueryMethods))
        return value
      return async (...args: unknown[]) => {
        try {
          if (before) await before()
          return await Reflect.apply(value, target, args)
        } catch (error) {
          throw mapError(error)
        }
      }
    },
  })
}
