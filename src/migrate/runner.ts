import type pg from 'pg'
import { MigrationError } from './errors.js'
import { runInTransaction, runWithoutTransaction } from './execute.js'
import { discoverMigrations, displayPath } from './files.js'
import {
  createHistorySql,
  DEFAULT_HISTORY_TABLE,
  forget,
  historyExists,
  historyTableSql,
  readHistory,
  recordApplied,
  updateChecksum,
} from './history.js'
import { acquireLock, lockKey, releaseLock } from './lock.js'
import { classify, plan, type Step } from './plan.js'
import { openSession } from './session.js'
import { stepSql } from './sql-text.js'
import type { MigrateOptions, MigrateResult, MigrationFile, MigrationStep, StatusEntry } from './types.js'

const DEFAULT_LOCK_TIMEOUT_MS = 60_000

/**
 * Applies pending migrations (or rolls back to `to`), each in its own transaction with its history
 * row, under a session-level advisory lock held on one dedicated connection.
 *
 * Why a plain `pg.Client` here and not Slonik: the lock must live on the very session that runs the
 * files and is released on it (a pool can hand lock and unlock to different sessions), the file text
 * must reach the server untouched through the simple query protocol (Slonik rewrites `$1` and
 * `:name`), and Slonik's retries and 60 s timeouts are wrong for migrations. Status reads use Slonik.
 */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  checkOptions(options)
  const files = await discoverMigrations(options)
  const tableName = options.historyTable ?? DEFAULT_HISTORY_TABLE
  const table = historyTableSql(tableName)
  const emit = options.onEvent ?? (() => {})
  const client = await openSession(url, 'dsta-db migrate')
  try {
    const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db ?? ''
    const key = lockKey(database, tableName)
    const waitedMs = await acquireLock(
      client,
      key,
      options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      (holder) => emit({ type: 'lock-wait', holder }),
    )
    emit({ type: 'lock-acquired', waitedMs })
    try {
      // Only now, inside the lock, is the history read: another migrator may have just finished.
      const entries = classify(files, await readHistory(client, table))
      if (options.repair) return await repair(client, table, entries)
      const steps = plan(files, entries, options)
      if (options.dryRun) return dryRun(steps)
      return await run(client, table, steps, options)
    } finally {
      await releaseLock(client, key).catch(() => {}) // a lost session has released it already
    }
  } finally {
    await client.end().catch(() => {})
  }
}

async function run(
  client: pg.Client,
  table: string,
  steps: Step[],
  options: MigrateOptions,
): Promise<MigrateResult> {
  const result = emptyResult(false)
  const emit = options.onEvent ?? (() => {})
  let tableExists = await historyExists(client, table)
  // The history table is created in the transaction of the first change, so a first migration
  // that fails leaves the database exactly as it was, without even an empty history table.
  const ensureTable = async () => {
    if (tableExists) return
    await client.query(createHistorySql(table)).catch((error: Error) => {
      throw new MigrationError(
        'BAD_OPTION',
        `cannot create the history table ${table}: ${error.message}. Create its schema first, or pick another historyTable.`,
        { cause: error },
      )
    })
  }
  for (const step of steps) {
    const { file } = step
    const direction = step.action
    const fake = step.action === 'down' ? step.fake : step.kind !== 'applied'
    emit({ type: 'start', direction, name: file.name, fake })
    let durationMs = 0
    if (step.action === 'up' && step.kind !== 'applied') {
      await inTransaction(client, async () => {
        await ensureTable()
        await recordApplied(client, table, { ...file, kind: step.kind, durationMs: 0 })
      })
      resultList(result, step).push(summary(file, 0, 'up'))
    } else if (step.action === 'up') {
      const record = async (ms: number) => {
        await ensureTable()
        await recordApplied(client, table, { ...file, kind: 'applied', durationMs: ms })
      }
      const toRun = { name: file.name, path: file.upPath, sql: file.upSql }
      if (file.noTransaction) {
        durationMs = await runWithoutTransaction(client, toRun)
        await inTransaction(client, () => record(durationMs))
      } else durationMs = await runInTransaction(client, toRun, record)
      resultList(result, step).push(summary(file, durationMs, 'up'))
    } else if (step.fake) {
      await forget(client, table, file.version)
      resultList(result, step).push(summary(file, 0, 'down'))
    } else {
      const toRun = { name: file.name, path: file.downPath ?? '', sql: file.downSql ?? '' }
      if (file.downNoTransaction) {
        durationMs = await runWithoutTransaction(client, toRun)
        await forget(client, table, file.version)
      } else durationMs = await runInTransaction(client, toRun, () => forget(client, table, file.version))
      resultList(result, step).push(summary(file, durationMs, 'down'))
    }
    tableExists = true
    const kind = step.action === 'down' ? 'rolled-back' : step.kind
    emit({ type: 'done', direction, name: file.name, durationMs, kind })
  }
  return result
}

async function inTransaction(client: pg.Client, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN')
  try {
    await work()
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  }
}

/** Accepts the files as they are now: records current checksums and names, forgets rows without a file. */
async function repair(client: pg.Client, table: string, entries: StatusEntry[]): Promise<MigrateResult> {
  const result = emptyResult(false)
  await inTransaction(client, async () => {
    for (const entry of entries) {
      if (entry.state === 'modified' && entry.file) {
        await updateChecksum(client, table, entry.version, entry.file.name, entry.file.checksum)
        result.repaired.push(`${entry.name}: recorded the current checksum (${entry.detail})`)
      } else if (entry.state === 'missing') {
        await forget(client, table, entry.version)
        result.repaired.push(`${entry.name}: forgot the history row (no file)`)
      }
    }
  })
  return result
}

function dryRun(steps: Step[]): MigrateResult {
  const result = emptyResult(true)
  const sql: string[] = []
  for (const step of steps) {
    const direction = step.action
    const fake = step.action === 'down' ? step.fake : step.kind !== 'applied'
    const list = resultList(result, step)
    list.push(summary(step.file, 0, direction))
    sql.push(
      fake
        ? `-- ${step.file.name}: ${direction}, recorded without running (${step.action === 'up' ? step.kind : 'fake'})\n`
        : stepSql(step.file, direction),
    )
  }
  result.sql = sql.join('\n')
  return result
}

/** Where a step is reported: applied, rolledBack, faked (either way) or baselined. */
function resultList(result: MigrateResult, step: Step): MigrationStep[] {
  if (step.action === 'down') return step.fake ? result.faked : result.rolledBack
  return { applied: result.applied, fake: result.faked, baseline: result.baselined }[step.kind]
}

function summary(file: MigrationFile, durationMs: number, direction: 'up' | 'down'): MigrationStep {
  const path = direction === 'up' ? file.upPath : (file.downPath ?? file.upPath)
  return {
    version: file.version,
    name: file.name,
    file: displayPath(path),
    durationMs: Math.round(durationMs),
  }
}

function emptyResult(dryRun: boolean): MigrateResult {
  return { applied: [], rolledBack: [], faked: [], baselined: [], repaired: [], dryRun }
}

function checkOptions(options: MigrateOptions): void {
  const timeout = options.lockTimeoutMs
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0))
    throw new MigrationError(
      'BAD_OPTION',
      `lockTimeoutMs must be a number of milliseconds ≥ 0, not ${timeout}`,
    )
  if (options.repair && (options.to !== undefined || options.fake || options.baseline !== undefined))
    throw new MigrationError(
      'BAD_OPTION',
      'repair runs alone: drop to, fake and baseline, then migrate again',
    )
}
