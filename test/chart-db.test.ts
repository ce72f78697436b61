// @dsta-isolation database
// Charts of a database's rows: PostgreSQL aggregates, and the bars equal the generator's own. The file
// has its own database (the CLI connects to it from outside the test's connection).
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CommonQueryMethods, createPool, type DatabasePool, sql } from 'slonik'
import { afterAll } from 'vitest'
import { type ChartData, collectChartData, renderChart } from '../src/chart/index.js'
import { run } from '../src/cli/program.js'
import { generateTestData } from '../src/generate/index.js'
import { redact } from '../src/server/index.js'
import { describe, expect, test } from '../src/vitest/index.js'

const DATA = { seed: 5, days: 2, symbols: ['BTCUSDT', 'ETHUSDT'] }
const ROLLBACK = new Error('roll back')

test.beforeAll(async ({ fileDb }) => {
  await generateTestData(fileDb as DatabasePool, DATA) // in a database-isolation file, fileDb is its pool
}, 120_000)

let dir: string | undefined
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** Runs `work` in a transaction that is always rolled back: the file's rows stay as generated. */
async function inRollback(db: CommonQueryMethods, work: (tx: CommonQueryMethods) => Promise<void>) {
  await db
    .transaction(async (tx) => {
      await work(tx)
      throw ROLLBACK
    })
    .catch((error: unknown) => {
      if (error !== ROLLBACK) throw error
    })
}

/** OHLC exact (the same decimals read as floats), volumes to 1e-6 (summed in another order). */
function expectSameBars(
  actual: ChartData['markets'][number] | undefined,
  expected: ChartData['markets'][number] | undefined,
) {
  expect(actual?.bars.length).toBe(expected?.bars.length)
  expect(actual?.bars.map((bar) => bar.slice(0, 5))).toEqual(expected?.bars.map((bar) => bar.slice(0, 5)))
  actual?.bars.forEach((bar, i) => {
    expect(bar[5]).toBeCloseTo(expected?.bars[i]?.[5] as number, 6)
  })
}

describe('from a database', () => {
  test('the stored candles of the interval shown give the same bars, book and metrics as the generator', async ({
    db,
  }) => {
    const generated = await collectChartData({ generate: DATA }, { interval: '1h' })
    const stored = await collectChartData({ db }, { interval: '1h' })
    expect(stored.window).toEqual(generated.window)
    expect(stored.markets.map((market) => market.symbol)).toEqual(['BTCUSDT', 'ETHUSDT'])
    for (const [i, market] of stored.markets.entries()) {
      expectSameBars(market, generated.markets[i])
      expect(market.rowsIn).toEqual({
        table: 'candlesticks',
        interval: '1h',
        rows: 48,
        trades: generated.markets[i]?.rowsIn.trades,
      })
      expect(market.book).toEqual(generated.markets[i]?.book)
      expect(market.precision).toBe(2)
    }
    expect(stored.metrics).toEqual(generated.metrics)
    expect(stored.source).toMatch(/^database dsta_/)
  })

  test('only 1m candles: PostgreSQL folds 2 880 of them into 48 hourly bars', async ({ db }) => {
    const generated = await collectChartData({ generate: DATA }, { interval: '1h', symbol: 'ETHUSDT' })
    await inRollback(db, async (tx) => {
      await tx.query(sql.unsafe`DELETE FROM candlesticks WHERE symbol = 'ETHUSDT' AND "interval" <> '1m'`)
      const stored = await collectChartData({ db: tx }, { interval: '1h', symbols: ['ETHUSDT'] })
      expect(stored.markets[0]?.rowsIn).toEqual({
        table: 'candlesticks',
        interval: '1m',
        rows: 2880,
        trades: generated.markets[0]?.rowsIn.trades,
      })
      expectSameBars(stored.markets[0], generated.markets[0])
    })
  })

  test('no candles at all: the bars come from the trades, and equal the candles', async ({ db }) => {
    const generated = await collectChartData({ generate: DATA }, { interval: '4h' })
    await inRollback(db, async (tx) => {
      await tx.query(sql.unsafe`DELETE FROM candlesticks`)
      const stored = await collectChartData({ db: tx }, { interval: '4h' })
      for (const [i, market] of stored.markets.entries()) {
        const trades = generated.markets[i]?.rowsIn.trades
        expect(market.rowsIn).toEqual({ table: 'trades', rows: trades, trades })
        expectSameBars(market, generated.markets[i])
      }
    })
  })

  test('days, end and at narrow the window; the book is the last one at or before the moment', async ({
    db,
  }) => {
    const data = await collectChartData(
      { db },
      { days: 1, end: '2026-01-01', interval: '1h', at: '2025-12-31T12:30Z' },
    )
    expect(data.window).toEqual({ start: '2025-12-31T00:00:00.000Z', end: '2026-01-01T00:00:00.000Z' })
    expect(data.markets[0]?.bars).toHaveLength(24)
    expect(data.markets[0]?.book?.timestamp).toBe('2025-12-31T12:00:00.000Z')
    expect(data.metrics.days).toHaveLength(1)
    const auto = await collectChartData({ db })
    expect(auto.markets[0]?.interval).toBe('15m') // 2 days: 192 bars
  })

  test("read through Slonik's own parsers (no dsta-db pool): the same data", async ({ db, databaseUrl }) => {
    const plain = await createPool(databaseUrl)
    try {
      expect(await collectChartData({ db: plain }, { interval: '4h' })).toEqual(
        await collectChartData({ db }, { interval: '4h' }),
      )
    } finally {
      await plain.end()
    }
  })
})

describe('dsta-db chart', () => {
  async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
    dir ??= await mkdtemp(join(tmpdir(), 'dsta-chart-'))
    let [out, err] = ['', '']
    const code = await run(['chart', ...args], {
      stdout: (text) => {
        out += text
      },
      stderr: (text) => {
        err += text
      },
      env,
      cwd: dir,
    })
    return { code, out, err, dir }
  }

  test('--database-url: the page renderChart gives for the same rows, byte for byte', async ({
    db,
    databaseUrl,
  }) => {
    const { code, out, err, dir } = await cli([
      '--database-url',
      databaseUrl,
      '--interval',
      '1h',
      '-o',
      'db.html',
    ])
    expect(code, err).toBe(0)
    const html = await readFile(join(dir, 'db.html'), 'utf8')
    expect(html).toBe(await renderChart({ db, label: `database ${redact(databaseUrl)}` }, { interval: '1h' }))
    expect(out).toContain('BTCUSDT binance: 48 1h bars from 48 1h candlesticks')
    expect(out).toContain('market metrics: 2 day(s) from 6 row(s)')
    // the usual variables work too
    const viaEnv = await cli(['--interval', '1h', '-o', 'env.html'], { DATABASE_URL: databaseUrl })
    expect(viaEnv.code, viaEnv.err).toBe(0)
    expect(await readFile(join(dir, 'env.html'), 'utf8')).toBe(html)
  })

  test('no database configured: the generator draws, and says so; --seed with a database is refused', async ({
    databaseUrl,
  }) => {
    const generated = await cli(['--days', '1', '--symbols', 'SOLUSDT', '-o', 'gen.html'])
    expect(generated.code, generated.err).toBe(0)
    expect(generated.err).toBe('no database configured: drawing generated data, seed 42\n')
    expect(generated.out).toMatch(
      /^Wrote gen\.html \(\d+ KiB\): SOLUSDT on binance, generated · seed 42 · binance\n {2}SOLUSDT binance: 288 5m bars from 288 5m candlesticks/,
    )
    const html = await readFile(join(generated.dir, 'gen.html'), 'utf8')
    expect(html).toBe(
      await renderChart({ generate: { seed: 42, days: 1, symbols: ['SOLUSDT'] } }, { symbols: ['SOLUSDT'] }),
    )

    const both = await cli(['--seed', '1', '--database-url', databaseUrl])
    expect(both).toMatchObject({
      code: 2,
      err: "error: --seed draws generated data and --database-url a database's rows: give one of them\n",
    })
    const tooFine = await cli(['--interval', '1m', '--days', '365', '--seed', '1'])
    expect(tooFine.code).toBe(2)
    expect(tooFine.err).toContain(
      'error: interval 1m gives 525600 bars over this window; a chart holds at most 20000',
    )
    const badSymbol = await cli(['--symbol', 'btc'])
    expect(badSymbol.code).toBe(2)
    expect(badSymbol.err).toContain("option '--symbol <symbol>' argument 'btc' is invalid")
  })
})
