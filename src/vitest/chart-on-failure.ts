// `dstaDb({ chartOnFailure: true })`: a failing test that used `db` leaves a chart of its database
// (candles, book, metrics, as the test saw them) next to its error. Off by default.
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import type { CommonQueryMethods } from 'slonik'
import type { RunnerTestCase, TestArtifactBase, TestAttachment } from 'vitest'
import * as vitest from 'vitest'
import type { ChartOptions } from '../chart/index.js'

/** The option's object form; `true` means all defaults. */
export interface ChartOnFailureOptions {
  /** Folder of the charts, relative to the project root (default `.dsta-db/charts`). */
  dir?: string
  /** Bar interval (default `auto`). */
  interval?: ChartOptions['interval']
  /** The market shown first (default: the first found). */
  symbol?: string
}

interface ChartArtifact extends TestArtifactBase {
  type: 'dsta-db:chart'
  message: string
  attachments: TestAttachment[]
}

declare module 'vitest' {
  interface TestArtifactRegistry {
    'dsta-db:chart': ChartArtifact
  }
}

export const DEFAULT_CHART_DIR = '.dsta-db/charts'

/** The file a test's chart goes to: its file and name, readable, plus a hash so that names never collide. */
export function chartPath(root: string, dir: string, file: string, testName: string): string {
  const clean = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '')
  const hash = createHash('sha1').update(`${file}\u0000${testName}`).digest('hex').slice(0, 8)
  return resolve(root, dir, `${clean(file).slice(0, 60)}--${clean(testName).slice(0, 60)}-${hash}.html`)
}

/**
 * Draws the rows `db` sees (inside a test: the test's own rows and the template's) into an HTML file
 * under `dir`, records it as an artifact of `task` (Vitest copies it to its attachments and shows it in
 * its UI and HTML report), and adds its path to the test's errors. Returns the path.
 */
export async function attachChart(
  db: CommonQueryMethods,
  task: RunnerTestCase,
  options: ChartOnFailureOptions & { root?: string } = {},
): Promise<string> {
  const root = options.root ?? process.cwd()
  const file = relative(root, task.file.filepath) || task.file.name
  const path = chartPath(root, options.dir ?? DEFAULT_CHART_DIR, file, task.fullTestName ?? task.name)
  const { renderChart } = await import('../chart/index.js')
  const html = await renderChart(
    { db, label: `test "${task.fullTestName ?? task.name}" in ${file}` },
    {
      ...(options.interval !== undefined ? { interval: options.interval } : {}),
      ...(options.symbol !== undefined ? { symbol: options.symbol } : {}),
    },
  )
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, html)
  // recordArtifact came with Vitest 4; without it the path in the error is the whole report.
  const record = (vitest as { recordArtifact?: typeof vitest.recordArtifact }).recordArtifact
  if (record)
    await record(task, {
      type: 'dsta-db:chart',
      message: "chart of the test's database",
      attachments: [{ path, contentType: 'text/html' }],
    })
  appendToErrors(task, `dsta-db chart of the test's database: ${path}`)
  return path
}

/** Registers the hook, from the setup file, when `chartOnFailure` is on. */
export function registerChartOnFailure(): void {
  const option = vitest.inject('dstaDbOptions')?.chartOnFailure
  const context = vitest.inject('dstaDb')
  if (!option || !context) return
  const options = option === true ? {} : option
  // afterEach runs before the fixtures' cleanup: the test's rows are still there (savepoint open).
  vitest.afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return
    const { testConnection } = await import('./fixtures.js')
    const db = await testConnection(task.context)
    if (!db) return // the test used no database fixture
    try {
      await attachChart(db, task, { ...options, root: context.root })
    } catch (error) {
      // e.g. a failed statement left the transaction aborted: nothing can be read
      appendToErrors(task, `dsta-db: no chart of the test's database: ${(error as Error).message}`)
    }
  })
}

function appendToErrors(task: RunnerTestCase, line: string): void {
  const note = `\n\n${line}`
  for (const error of task.result?.errors ?? []) {
    if (error.message.includes(note)) continue
    // The message feeds the console reporter; the stack feeds JSON / JUnit reporters.
    if (error.stack?.includes(error.message))
      error.stack = error.stack.replace(error.message, () => error.message + note)
    error.message += note
  }
}
