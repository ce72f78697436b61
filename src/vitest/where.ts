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
  return standIn(
    `dsta-db/vitest: \`${name}\` works only inside a test file run by Vitest. ` +
      'vitest.config.ts imports dsta-db/vitest for dstaDb() alone.',
  )
}

/** A stand-in for a config export inside a test worker (where the plugin's modules are not loaded). */
export function notInConfig<T>(name: string): T {
  return standIn(
    `dsta-db/vitest: \`${name}\` works only in vitest.config.ts (plugins: [${name}()]), which Vitest ` +
      'evaluates outside the test workers; a test file imports dsta-db/vitest for test, expect and the fixtures.',
  )
}

function standIn<T>(message: string): T {
  const fail = () => {
    throw new Error(message)
  }
  // Symbols and \`then\` are read by inspectors and \`await\`, not by users: answer those quietly.
  const get = (_: unknown, key: string | symbol) =>
    typeof key === 'symbol' || key === 'then' ? undefined : fail()
  return new Proxy(fail, { get, apply: fail }) as T
}
