import { createHash } from 'node:crypto'

import { DEFAULT_SEED } from '../generate/defaults.js'

// The base seed when neither `dstaDb({ seed })` nor `DSTA_SEED` gives one: the generators' default,
// from a module that imports nothing (`vitest.config.ts` loads this one, and must stay light).
export { DEFAULT_SEED }

/** `DSTA_SEED` wins over the option, which wins over the default. */
export function resolveBaseSeed(option: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.DSTA_SEED
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^\d{1,15}$/.test(fromEnv.trim()))
      throw new Error(`DSTA_SEED must be a non-negative integer, got "${fromEnv}"`)
    return Number(fromEnv.trim())
  }
  if (option === undefined) return DEFAULT_SEED
  if (!Number.isSafeInteger(option) || option < 0)
    throw new Error(`dstaDb({ seed }) must be a non-negative integer, got ${option}`)
  return option
}

/**
 * A test's own seed: a hash of the base seed, its file (POSIX path relative to the project root) and
 * its full name. Never its position, so a test run alone gets the seed it gets in the full run.
 */
export function deriveSeed(baseSeed: number, file: string, fullName: string): number {
  const digest = createHash('sha256')
    .update(`${baseSeed}\0${toPosix(file)}\0${fullName}`)
    .digest()
  return digest.readUInt32BE(0)
}

/** The one-line command that replays exactly this test with the same seed. */
export function replayCommand(baseSeed: number, file: string, fullName: string): string {
  const pattern = `^${fullName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`
  return `DSTA_SEED=${baseSeed} npx vitest run ${shellQuote(toPosix(file))} -t ${shellQuote(pattern)}`
}

interface FailedTask {
  file: { name: string }
  fullTestName: string
  result?: { errors?: { name?: string; message: string; stack?: string }[] } | undefined
}

/** Ends each error of a failed test with its seed and the command that replays exactly it. */
export function noteReplay(baseSeed: number, task: FailedTask): void {
  const { name: file } = task.file
  const seed = deriveSeed(baseSeed, file, task.fullTestName)
  const note = `\n\ndsta-db seed ${seed} (base ${baseSeed}); replay: ${replayCommand(baseSeed, file, task.fullTestName)}`
  for (const error of task.result?.errors ?? []) {
    // A lost server is not the test's doing: no replay hint on its one-line error.
    if (error.name === 'ServerGoneError' || error.message.includes(note)) continue
    // The message feeds the console reporter; the stack feeds JSON / JUnit reporters.
    if (error.stack?.includes(error.message))
      error.stack = error.stack.replace(error.message, () => error.message + note)
    error.message += note
  }
}

function toPosix(file: string): string {
  return file.replaceAll('\\', '/')
}

function shellQuote(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`
}
