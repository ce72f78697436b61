import { z } from 'zod'
import { createDstaPool } from '../schema/pool.js'
import { slonik } from '../schema/slonik.js'
import { connectionError, isConnectionFailure } from './errors.js'
import { discoverMigrations } from './files.js'
import { DEFAULT_HISTORY_TABLE, historyTableSql } from './history.js'
import { classify } from './plan.js'
import type { MigrationState, MigrationStatus, SourceOptions } from './types.js'

const HistoryRowSchema = z.object({
  version: z.number().int(),
  name: z.string(),
  checksum: z.string(),
  kind: z.enum(['applied', 'fake', 'baseline']),
  appliedAt: z.date(),
  durationMs: z.number().int(),
})
const InvalidIndexSchema = z.object({ index: z.string(), table: z.string() })

/**
 * Each migration's state (applied, pending, out-of-order, modified, missing) and any index left
 * invalid by a failed concurrent build. Reads only, through Slonik; takes no lock.
 */
export async function migrationStatus(url: string, options: SourceOptions = {}): Promise<MigrationStatus> {
  const files = await discoverMigrations(options)
  const historyTable = options.historyTable ?? DEFAULT_HISTORY_TABLE
  const quoted = historyTableSql(historyTable)
  const { sql } = await slonik()
  const table = sql.identifier(historyTable.split('.'))
  const pool = await createDstaPool(url, {
    maximumPoolSize: 1,
    queryRetryLimit: 0,
    connectionRetryLimit: 0,
    statementTimeout: 'DISABLE_TIMEOUT',
  }).catch((error: unknown) => {
    throw isConnectionFailure(error) ? connectionError(url, error) : error
  })
  try {
    return await pool.connect(async (db) => {
      const database = await db.oneFirst(
        sql.type(z.object({ db: z.string() }))`SELECT current_database() AS db`,
      )
      const exists = await db.oneFirst(
        sql.type(z.object({ found: z.boolean() }))`SELECT to_regclass(${quoted}) IS NOT NULL AS found`,
      )
      const history = exists
        ? await db.any(sql.type(HistoryRowSchema)`
            SELECT version, name, checksum, kind, applied_at AS "appliedAt", duration_ms AS "durationMs"
              FROM ${table} ORDER BY version`)
        : []
      const invalidIndexes = await db.any(sql.type(InvalidIndexSchema)`
        SELECT i.indexrelid::regclass::text AS index, i.indrelid::regclass::text AS table
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)
      const entries = classify(files, [...history])
      const ok =
        invalidIndexes.length === 0 && entries.every((e) => e.state !== 'modified' && e.state !== 'missing')
      return { database, historyTable, entries, invalidIndexes: [...invalidIndexes], ok }
    })
  } catch (error) {
    throw isConnectionFailure(error) ? connectionError(url, error) : error
  } finally {
    await pool.end()
  }
}

const MARK: Record<MigrationState, string> = {
  applied: '[X]',
  pending: '[ ]',
  'out-of-order': '[<]',
  modified: '[!]',
  missing: '[?]',
}

/** The status as text for a terminal, one line per migration, Django's `showmigrations` marks. */
export function formatStatus(status: MigrationStatus): string {
  const width = Math.max(12, ...status.entries.map((entry) => entry.name.length))
  const lines = [`database ${status.database}, history table ${status.historyTable}`]
  if (status.entries.length === 0) lines.push(' (no migrations)')
  for (const entry of status.entries) {
    const row = entry.history
    const when = row ? ` ${row.appliedAt.toISOString()} (${row.durationMs} ms)` : ''
    const how = row && row.kind !== 'applied' ? `, ${row.kind}` : ''
    const detail = entry.detail ? `: ${entry.detail}` : ''
    lines.push(` ${MARK[entry.state]} ${entry.name.padEnd(width)} ${entry.state}${how}${detail}${when}`)
  }
  for (const { index, table } of status.invalidIndexes)
    lines.push(
      ` invalid index ${index} on ${table} (a failed CREATE INDEX CONCURRENTLY): DROP INDEX CONCURRENTLY ${index}`,
    )
  const counts = new Map<string, number>()
  for (const entry of status.entries) counts.set(entry.state, (counts.get(entry.state) ?? 0) + 1)
  lines.push([...counts].map(([state, count]) => `${count} ${state}`).join(', ') || '0 migrations')
  if (status.entries.some((entry) => entry.state === 'modified' || entry.state === 'missing'))
    lines.push('migrate refuses to run until modified and missing files are fixed: restore them, or repair')
  return `${lines.join('\n')}\n`
}
