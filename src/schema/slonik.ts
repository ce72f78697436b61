/**
 * Slonik, loaded when the first query is built rather than when dsta-db is imported: it costs
 * ~0.3 s, and much of dsta-db (the generators, the schemas, the server providers) never needs it.
 * Node caches the module, so every later call is a resolved promise.
 */
export function slonik(): Promise<typeof import('slonik')> {
  return import('slonik')
}
