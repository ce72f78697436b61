import { type CommonQueryMethods, sql } from 'slonik'
import { z } from 'zod'
import { explain } from '../explain/index.js'
import { discoverMigrations, type MigrationStatus } from '../migrate/index.js'
import { TABLES, type TableName } from '../schema/index.js'

/** One line of the report: what was checked, whether it holds, and the details when it does not. */
export interface Check {
  name: string
  ok: boolean
  summary: string
  problems: string[]
}

const TABLE_NAMES = Object.keys(TABLES) as TableName[]

/** The guide's indexes ("Indexes" and "Constraints: Unique" of each table), by their columns. */
const GUIDE_INDEXES: { table: TableName; columns: string[]; unique?: boolean }[] = [
  { table: 'candlesticks', columns: ['exchange', 'symbol', 'interval', 'timestamp'], unique: true },
  { table: 'candlesticks', columns: ['symbol', 'timestamp'] },
  { table: 'candlesticks', columns: ['exchange', 'timestamp'] },
  { table: 'trades', columns: ['exchange', 'symbol', 'trade_id'], unique: true },
  { table: 'trades', columns: ['exchange', 'symbol', 'timestamp'] },
  { table: 'trades', columns: ['symbol', 'timestamp'] },
  { table: 'order_books', columns: ['exchange', 'symbol', 'timestamp'] },
  { table: 'order_books', columns: ['symbol', 'timestamp'] },
  { table: 'order_books', columns: ['timestamp'] },
  { table: 'market_metrics', columns: ['metric_type', 'timestamp'], unique: true },
]

/** CHECK constraints the DSTA schema's own migration files create (and do not drop later). */
async function expectedChecks(): Promise<string[]> {
  const names = new Set<string>()
  for (const file of await discoverMigrations({ dstaSchema: true })) {
    for (const [, name] of file.upSql.matchAll(/CONSTRAINT\s+(\w+)\s+CHECK/gi)) names.add(name as string)
    for (const [, name] of file.upSql.matchAll(/DROP\s+CONSTRAINT\s+(?:IF\s+EXISTS\s+)?(\w+)/gi))
      names.delete(name as string)
  }
  return [...names].sort()
}

const IndexRow = z.object({ table: z.string(), columns: z.array(z.string()), unique: z.boolean() })

/** The four tables, the guide's indexes and unique constraints, and the schema's CHECK constraints. */
export async function schemaCheck(db: CommonQueryMethods): Promise<Check> {
  const present = new Set(
    await db.anyFirst(sql.type(z.object({ name: z.string() }))`
      SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY(${sql.array(TABLE_NAMES, 'text')})`),
  )
  const problems = TABLE_NAMES.filter((table) => !present.has(table)).map(
    (table) => `table ${table} is missing: run \`dsta-db migrate\``,
  )
  const indexes = await db.any(sql.type(IndexRow)`
    SELECT c.relname AS table, ix.indisunique AS unique,
           array_agg(a.attname::text ORDER BY k.ord) AS columns
      FROM pg_index ix
      JOIN pg_class c ON c.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
     WHERE n.nspname = current_schema() AND ix.indisvalid
     GROUP BY ix.indexrelid, c.relname, ix.indisunique`)
  for (const wanted of GUIDE_INDEXES) {
    if (!present.has(wanted.table)) continue
    const found = indexes.some(
      (index) =>
        index.table === wanted.table &&
        index.columns.join() === wanted.columns.join() &&
        (!wanted.unique || index.unique),
    )
    if (!found)
      problems.push(
        `${wanted.table}: no ${wanted.unique ? 'unique constraint' : 'index'} on (${wanted.columns.join(', ')})`,
      )
  }
  const checks = await expectedChecks()
  const existing = new Set(
    await db.anyFirst(sql.type(z.object({ name: z.string() }))`
      SELECT con.conname AS name FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
       WHERE n.nspname = current_schema() AND con.contype = 'c'`),
  )
  for (const name of checks) if (!existing.has(name)) problems.push(`check constraint ${name} is missing`)
  return {
    name: 'schema',
    ok: problems.length === 0,
    summary: `${present.size} of 4 tables, ${GUIDE_INDEXES.length} guide indexes, ${checks.length} check constraints`,
    problems,
  }
}

/** Every migration applied, none edited or deleted since, no index left invalid. */
export function migrationsCheck(status: MigrationStatus): Check {
  const problems = status.entries
    .filter((entry) => entry.state !== 'applied')
    .map((entry) => `${entry.name}: ${entry.state}${entry.detail ? ` (${entry.detail})` : ''}`)
  for (const { index, table } of status.invalidIndexes)
    problems.push(
      `index ${index} on ${table} is invalid (a failed concurrent build): drop it and migrate again`,
    )
  const applied = status.entries.filter((entry) => entry.state === 'applied').length
  return { name: 'migrations', ok: problems.length === 0, summary: `${applied} applied`, problems }
}

/** The guide's "Check Data": rows per table. Never a failure. */
export async function rowCounts(db: CommonQueryMethods, tables: TableName[]): Promise<Check> {
  const parts: string[] = []
  for (const table of tables)
    parts.push(
      `${table} ${await db.oneFirst(sql.unsafe`SELECT count(*)::int FROM ${sql.identifier([table])}`)}`,
    )
  return { name: 'rows', ok: true, summary: parts.join(', ') || 'no tables', problems: [] }
}

const SHOWN = 5

/** The guide's "Check for duplicate entries" on candlesticks' natural key (matters when the unique constraint is gone). */
export async function duplicatesCheck(db: CommonQueryMethods): Promise<Check> {
  const groups = await db.any(sql.type(z.object({ key: z.string(), count: z.number() }))`
    SELECT concat_ws(' ', exchange, symbol, "interval", "timestamp") AS key, count(*)::int AS count
      FROM candlesticks GROUP BY exchange, symbol, "interval", "timestamp" HAVING count(*) > 1
     ORDER BY exchange, symbol, "interval", "timestamp" LIMIT ${SHOWN + 1}`)
  return {
    name: 'duplicates',
    ok: groups.length === 0,
    summary: 'candlesticks unique on (exchange, symbol, interval, timestamp)',
    problems: groups.slice(0, SHOWN).map((group) => `${group.count} candlesticks at ${group.key}`),
  }
}

/** OHLC sanity: low > 0, low ≤ open, close ≤ high, volumes ≥ 0. */
export async function ohlcCheck(db: CommonQueryMethods): Promise<Check> {
  const bad = await db.any(sql.type(z.object({ id: z.string(), row: z.string() }))`
    SELECT id::text AS id,
           concat_ws(' ', symbol, "interval", "timestamp", 'O', open_price, 'H', high_price, 'L', low_price,
                     'C', close_price, 'V', volume) AS row
      FROM candlesticks
     WHERE NOT (low_price > 0 AND low_price <= least(open_price, close_price)
                AND high_price >= greatest(open_price, close_price, low_price) AND volume >= 0 AND quote_volume >= 0)
     ORDER BY id`)
  return {
    name: 'OHLC',
    ok: bad.length === 0,
    summary: 'every candlestick has 0 < low ≤ open, close ≤ high and volumes ≥ 0',
    problems: [
      ...bad.slice(0, SHOWN).map((row) => `candlestick id ${row.id}: ${row.row}`),
      ...(bad.length > SHOWN ? [`… ${bad.length} candlesticks in all`] : []),
    ],
  }
}

/** The guide's "Analyze Queries" example: the latest 100 candles of one series. */
export const GUIDE_QUERY = `SELECT * FROM candlesticks
WHERE exchange = 'binance' AND symbol = 'BTCUSDT' AND interval = '1h'
ORDER BY timestamp DESC LIMIT 100`

/** The index the guide's query should read: the unique constraint on (exchange, symbol, interval, timestamp). */
export const GUIDE_INDEX = 'candlesticks_exchange_symbol_interval_timestamp_key'

/** Below this many rows the planner cannot tell the candlesticks indexes apart: several tie. */
const SMALL_TABLE = 10_000

/**
 * The guide's query reads its composite index. On a table of a few rows several indexes tie (and a
 * sequential scan is cheapest), so there the question becomes whether the composite index can serve
 * the query: planned with sequential scans off and the table's other plain indexes hidden, inside a
 * rolled-back transaction. The summary says which way it was planned.
 */
export async function planCheck(db: CommonQueryMethods): Promise<Check> {
  let plan = await explain(db, GUIDE_QUERY)
  let how = ''
  const rows = Number(
    await db.oneFirst(
      sql.unsafe`SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'candlesticks'::regclass`,
    ),
  )
  if (!plan.indexes.includes(GUIDE_INDEX) && rows < SMALL_TABLE) {
    const others = await db.anyFirst(sql.type(z.object({ name: z.string() }))`
      SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
       WHERE x.indrelid = 'candlesticks'::regclass AND i.relname <> ${GUIDE_INDEX}
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
       ORDER BY 1`)
    plan = await explain(db, GUIDE_QUERY, { preferIndexes: true, withoutIndexes: others })
    how = ` (a small table: planned with enable_seqscan off and ${others.join(', ') || 'no other index'} hidden)`
  }
  const ok = plan.indexes.includes(GUIDE_INDEX)
  return {
    name: 'plan',
    ok,
    summary: `the guide's query reads ${GUIDE_INDEX}${how}`,
    problems: ok
      ? []
      : [
          `its plan reads ${plan.indexes.join(', ') || `no index (${plan.seqScans.map((t) => `Seq Scan on ${t}`).join(', ')})`}:`,
          ...plan.text.split('\n').map((line) => `  ${line}`),
        ],
  }
}
