// dstaDb({ chartOnFailure }): a nested `vitest run` of test/fixtures-vitest/chart, whose failing test
// leaves a chart of its rows, recorded as an artifact (Vitest copies it) and named in its error.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import type { ChartData } from '../src/chart/index.js'
import { runNested } from './fixtures-vitest/run-nested.js'

const out = mkdtempSync(join(tmpdir(), 'dsta-chart-on-failure-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

/** The data a chart page carries. */
function dataOf(html: string): ChartData {
  const json = /<script id="dsta-chart-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1]
  if (!json) throw new Error('no chart data in the page')
  return JSON.parse(json) as ChartData
}

test('a failing test that used the database leaves a chart of its rows; passing ones and others leave none', async () => {
  const run = await runNested('chart', ['--maxWorkers', '1'], { DSTA_CHART_DIR: out })
  expect(run.exitCode, run.output).toBe(1)
  const byName = new Map(run.results.map((result) => [result.fullName, result]))
  expect(byName.get('passes with its candles')?.status).toBe('passed')

  const charts = readdirSync(join(out, 'charts'))
  expect(charts).toHaveLength(1)
  const chart = join(out, 'charts', charts[0] as string)
  expect(charts[0]).toMatch(/^chart\.sample\.ts--fails_with_its_candles-[0-9a-f]{8}\.html$/)
  const failure = byName.get('fails with its candles')?.failureMessages.join('\n') ?? ''
  expect(failure).toContain(`dsta-db chart of the test's database: ${chart}`)
  expect(failure).toContain('dsta-db seed') // the seed note is still there
  expect(run.output).toContain(`dsta-db chart of the test's database: ${chart}`)

  // What the test made, as it saw it: its 24 candles and its book, inside its transaction.
  const data = dataOf(readFileSync(chart, 'utf8'))
  expect(data.source).toBe('test "fails with its candles" in chart.sample.ts')
  expect(data.markets).toHaveLength(1)
  expect(data.markets[0]).toMatchObject({ symbol: 'ETHUSDT', interval: '1h', rowsIn: { rows: 24 } })
  expect(data.markets[0]?.bars).toHaveLength(24)
  expect(data.markets[0]?.book?.timestamp).toBe('2026-01-01T23:00:00.000Z')

  // Recorded as an artifact: Vitest copied it into its attachments folder.
  const copies = existsSync(join(out, 'attachments')) ? readdirSync(join(out, 'attachments')) : []
  expect(copies.filter((name) => name.endsWith('.html'))).toHaveLength(1)

  // No database used: no chart, no note. A failed statement: the note says why there is no chart.
  expect(byName.get('fails without the database')?.failureMessages.join('\n')).not.toContain('dsta-db chart')
  expect(byName.get('fails after a failed statement')?.failureMessages.join('\n')).toContain(
    "dsta-db: no chart of the test's database: current transaction is aborted",
  )
}, 120_000)
