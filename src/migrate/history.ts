import type pg from 'pg'
import { MigrationError } from './errors.js'
import type { HistoryKind, HistoryRow } from './types.js'

export const DEFAULT_HISTORY_TABLE = 'dsta_migrations'

/** `name` or `schema.name`, lower-case identifiers only, returned quoted for SQL. */
export function historyTableSql(table: string): string {
  if (!/^([a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*$/.test(table))
    throw new MigrationError(
      'BAD_OPTION',
      `historyTable "${table}" must be a lower-case identifier, optionally schema-qualified (e.g. ops.migrations)`,
    )
  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.')
}

export function createHistorySql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  version      integer     PRIMARY KEY,
  name         text        NOT NULL,
  checksum     text        NOT NULL,
  kind         text        NOT NULL CHECK (kind IN ('applied', 'fake', 'baseline')),
  applied_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  duration_ms  integer     NOT NULL,
  applied_by   text        NOT NULL DEFAULT current_user
)`
}

/** The columns as `HistoryRow` names them; shared by the pg reader here and the Slonik one in status. */
export function selectHistorySql(table: string): string {
  return `SELECT version, name, checksum, kind, applied_at AS "appliedAt", duration_ms AS "durationMs"
            FROM ${table} ORDER BY version`
}

export async function historyExists(client: pg.Client, table: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
    table,
  ])
  return rows[0]?.found === true
}

export async function readHistory(client: pg.Client, table: string): Promise<HistoryRow[]> {
  if (!(await historyExists(client, table))) return []
  return (await client.query<HistoryRow>(selectHistorySql(table))).rows
}

export interface HistoryWrite {
  version: number
  name: string
  checksum: string
  kind: HistoryKind
  durationMs: number
}

export async function recordApplied(client: pg.Client, table: string, row: HistoryWrite): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (version, name, checksum, kind, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
    [row.version, row.name, row.checksum, row.kind, Math.round(row.durationMs)],
  )
}

export async function forget(client: pg.Client, table: string, version: number): Promise<void> {
  await client.query(`DELETE FROM ${table} WHERE version = $1`, [version])
}

export async function updateChecksum(
  client: pg.Client,
  table: string,
  version: number,
  name: string,
  checksum: string,
): Promise<void> {
  await client.query(`UPDATE ${table} SET name = $2, checksum = $3 WHERE version = $1`, [
    version,
    name,
    checksum,
  ])
}
