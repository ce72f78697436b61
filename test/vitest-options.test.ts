// dstaDb()'s options: every malformed one refused with one line naming it, at config load (shape)
// or at the run's start (folders, files, the generator's rules), never a raw TypeError.
import { describe, expect, test } from 'vitest'
// The plugin's own module: in a test worker, dsta-db/vitest's dstaDb is a stand-in (vitest-entry.test.ts).
import { dstaDb } from '../src/vitest/plugin.js'
import { runNested } from './fixtures-vitest/run-nested.js'

const bad: [string, unknown, string][] = [
  [
    'not an object',
    'embedded',
    `dstaDb() takes an object of options, e.g. dstaDb({ provider: 'embedded' }), got "embedded"`,
  ],
  ['a number', 42, 'dstaDb() takes an object of options'],
  ['an array', [], 'dstaDb() takes an object of options'],
  ['null', null, 'dstaDb() takes an object of options'],
  [
    'unknown key, close to one',
    { readyclones: 2 },
    'option readyclones is not an option: did you mean readyClones?',
  ],
  ['unknown key, typo', { isolaton: 'database' }, 'did you mean isolation?'],
  ['unknown key, far', { colour: 'red' }, 'option colour is not an option (known: seed, provider'],
  ['seed negative', { seed: -1 }, 'option seed must be a whole number from 0 to 9007199254740991, got -1'],
  ['seed fraction', { seed: 1.5 }, 'option seed must be a whole number'],
  ['seed string', { seed: '42' }, 'option seed must be a whole number from 0 to 9007199254740991, got "42"'],
  ['seed NaN', { seed: Number.NaN }, 'option seed must be a whole number'],
  [
    'provider',
    { provider: 'docker' },
    `option provider must be one of 'auto', 'embedded', 'container', 'external', got "docker"`,
  ],
  [
    'isolation',
    { isolation: 'file' },
    `option isolation must be one of 'transaction', 'database', got "file"`,
  ],
  [
    'migrations not an array',
    { migrations: 'sql' },
    'option migrations must be an array of folders, got "sql"',
  ],
  [
    'migrations with a number',
    { migrations: [42] },
    'option migrations[0] must be a non-empty string, got 42',
  ],
  [
    'migrations with an empty string',
    { migrations: ['ok', ''] },
    'option migrations[1] must be a non-empty string',
  ],
  ['binDir number', { binDir: 42 }, 'option binDir must be a non-empty string, got 42'],
  [
    'sampleData number',
    { sampleData: 42 },
    "option sampleData must be true, false or a fixture file's path, got 42",
  ],
  ['sampleData empty', { sampleData: '' }, 'option sampleData must be true, false'],
  ['testData string', { testData: 'yes' }, 'option testData must be an object of generateTestData options'],
  ['testData true', { testData: true }, 'option testData must be an object'],
  [
    'testData unknown key',
    { testData: { dayz: 3 } },
    'option testData.dayz is not an option: did you mean testData.days?',
  ],
  ['testData.days', { testData: { days: -1 } }, 'option testData.days must be a positive number, got -1'],
  [
    'testData.symbols',
    { testData: { symbols: 'BTCUSDT' } },
    'option testData.symbols must be an array of symbols',
  ],
  [
    'testData.symbols item',
    { testData: { symbols: ['BTCUSDT', 7] } },
    'option testData.symbols[1] must be a non-empty string, got 7',
  ],
  [
    'testData.end',
    { testData: { end: {} } },
    'option testData.end must be a Date, an ISO string or epoch milliseconds',
  ],
  [
    'testData.orderBookDepth',
    { testData: { orderBookDepth: 0 } },
    'option testData.orderBookDepth must be a whole number from 1 to 1000, got 0',
  ],
  [
    'readyClones negative',
    { readyClones: -2 },
    'option readyClones must be an integer from 0 to 10000, got -2',
  ],
  [
    'readyClones huge',
    { readyClones: 1e9 },
    'option readyClones must be an integer from 0 to 10000, got 1000000000',
  ],
  [
    'readyClones beyond maxDatabases',
    { readyClones: 100 },
    'option readyClones must be at most maxDatabases (64), got 100',
  ],
  [
    'readyClones beyond an explicit maxDatabases',
    { readyClones: 9, maxDatabases: 8 },
    'at most maxDatabases (8), got 9',
  ],
  ['maxDatabases zero', { maxDatabases: 0 }, 'option maxDatabases must be an integer from 1 to 10000, got 0'],
  ['keepFailed string', { keepFailed: '3' }, 'option keepFailed must be an integer from 0 to 1000, got "3"'],
  ['keepFailed Infinity', { keepFailed: Number.POSITIVE_INFINITY }, 'option keepFailed must be an integer'],
]

describe('dstaDb() options are checked when the config loads, naming the option', () => {
  test.each(bad)('%s', (_, options, message) => {
    let error: unknown
    try {
      dstaDb(options as never)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toContain(message)
    expect((error as Error).stack).not.toMatch(/\n\s+at /) // one line: no stack of our frames
  })

  test('good options pass', () => {
    expect(dstaDb().name).toBe('dsta-db')
    expect(dstaDb({ seed: 7, provider: 'embedded', readyClones: 64, keepFailed: 0 }).name).toBe('dsta-db')
    expect(
      dstaDb({ testData: { days: 1, symbols: ['BTCUSDT'], end: new Date(0) }, sampleData: true }).name,
    ).toBe('dsta-db')
    expect(dstaDb({ seed: undefined, migrations: [] }).name).toBe('dsta-db')
  })
})

describe('what only the run can check: at its start, one line naming the option, no server started', () => {
  test.each([
    [{ migrations: ['no-such-folder'] }, /dstaDb\(\) option migrations\[0\]: no folder at \S+no-such-folder/],
    [{ sampleData: 'missing.json' }, /dstaDb\(\) option sampleData: no fixture file at \S+missing\.json/],
    [{ testData: { symbols: ['btc usdt'] } }, /dstaDb\(\) option testData: symbol "btc usdt"/],
    [{ testData: { exchange: 'nasdaq' } }, /dstaDb\(\) option testData: exchange "nasdaq": must be one of/],
    [{ binDir: '/nowhere' }, /dstaDb\(\) option binDir: no postgres binary in \/nowhere/],
    [{ readyclones: 2 }, /dstaDb\(\) option readyclones is not an option: did you mean readyClones\?/],
  ])(
    '%j',
    async (options, message) => {
      const run = await runNested('options', [], { DSTA_SAMPLE_OPTIONS: JSON.stringify(options) })
      expect(run.exitCode, run.output).not.toBe(0)
      expect(run.output).toMatch(message)
      expect(run.output).not.toMatch(/at .*src\/vitest\//) // no stack of our frames
    },
    60_000,
  )
})
