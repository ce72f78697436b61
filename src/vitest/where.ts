/**
 * Vitest runs test files in workers that carry its state on `globalThis`; the process that loads
 * `vitest.config.ts` (and any nested run started from a test) has none. An environment variable would
 * not do: a child process inherits `VITEST_POOL_ID` from the worker that spawned it.
 */
export function inTestWorker(): boolean {
  return (globalThis as { __vitest_worker__?: unknown }).__vitest_worker__ !== undefined
}

/** A stand-in for a test-file export where no test file runs: any use says what went wrong. */
export function notInTestFile<T>(name: string): T {
  const fail = () => {
    throw new Error(
      `dsta-db/vitest: \`${name}\` works only inside a test file run by Vitest. ` +
        'vitest.config.ts imports dsta-db/vitest for dstaDb() alone.',
    )
  }
  // Symbols and \`then\` are read by inspectors and \`await\`, not by users: answer those quietly.
  const get = (_: unknown, key: string | symbol) =>
    typeof key === 'symbol' || key === 'then' ? undefined : fail()
  return new Proxy(fail, { get, apply: fail }) as T
}
