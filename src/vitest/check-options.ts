// The shape of dstaDb()'s options, checked when vitest.config.ts loads. By hand, not with zod: the
// config's import must stay light (no zod, pg, slonik or faker). What needs the file system or the
// generator's own rules (a symbol's format, a fixture file) is checked at the run's start, in
// `checkOptionsAtStart`, with the same wording.

type Check = (value: unknown, name: string) => string | undefined

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const show = (value: unknown): string =>
  typeof value === 'function'
    ? 'a function'
    : typeof value === 'bigint'
      ? `${value}n`
      : (JSON.stringify(value) ?? String(value))

const oneOf =
  (...choices: string[]): Check =>
  (value) =>
    choices.includes(value as string)
      ? undefined
      : `must be one of ${choices.map((choice) => `'${choice}'`).join(', ')}, got ${show(value)}`

const integer =
  (min: number, max: number, what = 'an integer'): Check =>
  (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
      ? undefined
      : `must be ${what} from ${min} to ${max}, got ${show(value)}`

const positive: Check = (value) =>
  typeof value === 'number' && Number.isFinite(value) && value > 0
    ? undefined
    : `must be a positive number, got ${show(value)}`

const text: Check = (value) =>
  typeof value === 'string' && value.length > 0 ? undefined : `must be a non-empty string, got ${show(value)}`

const listOf =
  (item: Check, what: string): Check =>
  (value, name) => {
    if (!Array.isArray(value)) return `must be an array of ${what}, got ${show(value)}`
    for (const [index, entry] of value.entries()) {
      const problem = item(entry, `${name}[${index}]`)
      if (problem) return `${name}[${index}] ${problem}`
    }
    return undefined
  }

const either =
  (...checks: Check[]): Check =>
  (value, name) => {
    const problems = checks.map((check) => check(value, name))
    return problems.includes(undefined) ? undefined : problems.join('; or ')
  }

const seedCheck = integer(0, Number.MAX_SAFE_INTEGER, 'a whole number')

/** The options of `generateTestData` that `testData` takes, by shape (their rules apply at start). */
const TEST_DATA: Record<string, Check> = {
  seed: either(seedCheck, text),
  symbols: listOf(text, 'symbols such as "BTCUSDT"'),
  exchange: text,
  days: positive,
  end: (value) =>
    value instanceof Date || typeof value === 'string' || typeof value === 'number'
      ? undefined
      : `must be a Date, an ISO string or epoch milliseconds, got ${show(value)}`,
  intervals: listOf(text, 'intervals such as "1h"'),
  tradesPerMinute: positive,
  orderBookEveryMinutes: integer(1, 1_000_000, 'a whole number'),
  orderBookDepth: integer(1, 1000, 'a whole number'),
}

/** The object form of `chartOnFailure`. */
const CHART_ON_FAILURE: Record<string, Check> = { dir: text, interval: text, symbol: text }

/** Cap on `maxDatabases`: a run making more databases than this at once is a typo. */
export const MAX_DATABASES = 10_000

const OPTIONS: Record<string, Check> = {
  seed: seedCheck,
  provider: oneOf('auto', 'embedded', 'container', 'external'),
  isolation: oneOf('transaction', 'database'),
  migrations: listOf(text, 'folders'),
  testData: (value, name) =>
    isObject(value)
      ? checkFields(value, TEST_DATA, name)
      : `must be an object of generateTestData options such as { days: 7 }, got ${show(value)}`,
  sampleData: (value) =>
    typeof value === 'boolean' || (typeof value === 'string' && value)
      ? undefined
      : `must be true, false or a fixture file's path, got ${show(value)}`,
  readyClones: integer(0, MAX_DATABASES),
  maxDatabases: integer(1, MAX_DATABASES),
  keepFailed: integer(0, 1000),
  binDir: text,
  image: text,
  chartOnFailure: (value, name) =>
    typeof value === 'boolean'
      ? undefined
      : isObject(value)
        ? checkFields(value, CHART_ON_FAILURE, name)
        : `must be true, false or { dir?, interval?, symbol? }, got ${show(value)}`,
}

function checkFields(value: Record<string, unknown>, checks: Record<string, Check>, prefix: string) {
  for (const [key, field] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key
    const check = checks[key]
    if (!check) {
      const close = closest(key, Object.keys(checks))
      return `${name} is not an option${close ? `: did you mean ${prefix ? `${prefix}.` : ''}${close}?` : ''} (known: ${Object.keys(checks).join(', ')})`
    }
    if (field === undefined) continue
    const problem = check(field, name)
    if (problem) return problem.startsWith(name) ? problem : `${name} ${problem}`
  }
  return undefined
}

/** A user's mistake in dstaDb()'s options: one line, no stack of our frames. */
export class DstaOptionError extends Error {
  constructor(message: string) {
    super(`dstaDb() option ${message}`)
    this.name = 'DstaOptionError'
    this.stack = `${this.name}: ${this.message}` // the config's line is the culprit, not ours
  }
}

/** Checks the options' shape; throws a `DstaOptionError` naming the first bad option. */
export function checkOptionShape(options: unknown): void {
  if (!isObject(options)) {
    const error = new DstaOptionError('')
    error.message = `dstaDb() takes an object of options, e.g. dstaDb({ provider: 'embedded' }), got ${show(options)}`
    error.stack = `${error.name}: ${error.message}`
    throw error
  }
  const problem = checkFields(options, OPTIONS, '')
  if (problem) throw new DstaOptionError(problem)
  const max = (options.maxDatabases as number | undefined) ?? 64
  const ready = options.readyClones as number | undefined
  if (ready !== undefined && ready > max)
    throw new DstaOptionError(`readyClones must be at most maxDatabases (${max}), got ${ready}`)
}

/** The known name closest to `key` (case-insensitive edit distance ≤ 2), if any. */
function closest(key: string, names: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined
  for (const name of names) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase())
    if (distance <= Math.min(2, name.length / 3) && (!best || distance < best.distance))
      best = { name, distance }
  }
  return best?.name
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    previous = current
  }
  return previous[b.length] ?? 0
}
