/**
 * Slonik, loaded when the first query is built rather than when dsta-db is imported: it costs
 * ~0.3 s, and much of dsta-db (the generators, the schemas, the server providers) never needs it.
 * Node caches the module, so every later call is a resolved promise.
 */
export function slonik(): Promise<typeof import('slonik')> {
  return import('slonik').then((module) => (loaded = module))
}

let loaded: typeof import('slonik') | undefined

/** Slonik when `slonik()` has loaded it (synchronous code that runs only inside Slonik's own calls). */
export function slonikIfLoaded(): typeof import('slonik') | undefined {
  return loaded
}
