// The zod row schemas and enum lists of src/schema/ against the SQL of sql/, read back from
// pg_catalog after migrating: one must not drift from the other.
import { type DatabasePool, SchemaValidationError, sql } from 'slonik'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { migrate } from '../src/migrate/index.js'
import { COLUMNS, pgType } from '../src/schema/columns.js'
import {
  createDstaPool,
  EXCHANGES,
  INTERVALS,
  METRIC_TYPES,
  TABLES,
  type TableName,
  TradingSymbol,
} from '../src/schema/index.js'
import type { StartedPostgres } from '../src/server/index.js'
import { startPostgres } from '../src/server/index.js'
import { freshDatabase, query } from './migrate-support.js'

let server: StartedPostgres
let url: string
beforeAll(async () => {
  server = await startPostgres()
  url = await freshDatabase(server.url)
  await migrate(url)
})
afterAll(async () => {
  await server?.stop()
})

async function checkDefinition(table: string, constraint: string): Promise<string> {
  const rows = await query<{ def: string }>(
    url,
    'SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND conname = $2',
    [table, constraint],
  )
  expect(rows, `${table} has no constraint ${constraint}`).toHaveLength(1)
  return rows[0]?.def ?? ''
}

/** The literals of `CHECK ((col = ANY (ARRAY['a'::text, 'b'::text])))`, in order. */
function listedValues(definition: string): string[] {
  expect(definition).toMatch(/= ANY \(ARRAY\[/)
  return [...definition.matchAll(/'((?:[^']|'')*)'::text/g)].map((match) =>
    (match[1] ?? '').replaceAll("''", "'"),
  )
}

describe('enum lists agree with the CHECK constraints', () => {
  it.each(['candlesticks', 'trades', 'order_books'])('EXCHANGES = %s.exchange', async (table) => {
    expect(listedValues(await checkDefinition(table, `${table}_exchange_check`))).toEqual([...EXCHANGES])
  })

  it('INTERVALS = candlesticks.interval', async () => {
    expect(listedValues(await checkDefinition('candlesticks', 'candlesticks_interval_check'))).toEqual([
      ...INTERVALS,
    ])
  })

  it('METRIC_TYPES = market_metrics.metric_type', async () => {
    const definition = await checkDefinition('market_metrics', 'market_metrics_metric_type_check')
    expect(listedValues(definition)).toEqual([...METRIC_TYPES])
  })

  it.each(['candlesticks', 'trades', 'order_books'])(
    'the symbol pattern of %s is the zod one',
    async (table) => {
      const definition = await checkDefinition(table, `${table}_symbol_check`)
      const pattern = /symbol ~ '(.*)'::text/.exec(definition)?.[1]
      const zodPattern = TradingSymbol.def.checks?.map(
        (check) => (check._zod.def as { pattern?: RegExp }).pattern,
      )
      expect(zodPattern?.map(String)).toEqual([`/${pattern}/`])
    },
  )
})

describe('columns agree with the zod row schemas', () => {
  it.each(Object.keys(TABLES))(
    '%s: same names, and every required column is required in zod',
    async (table) => {
      const columns = await query<{ name: string; required: boolean }>(
        url,
        `SELECT attname AS name, attnotnull AND NOT atthasdef AND attidentity = '' AS required
         FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [table],
      )
      const shape = TABLES[table as keyof typeof TABLES].shape as Record<
        string,
        { safeParse(v: unknown): { success: boolean } }
      >
      expect(Object.keys(shape).sort()).toEqual(columns.map((column) => column.name).sort())
      const requiredInSql = columns.filter((column) => column.required).map((column) => column.name)
      const optionalInZod = requiredInSql.filter((name) => shape[name]?.safeParse(undefined).success)
      expect(optionalInZod, 'NOT NULL columns without a default that zod lets be absent').toEqual([])
    },
  )
})

describe('COLUMNS (what fixtures and factories write) agree with the catalog', () => {
  it.each(Object.keys(COLUMNS))('%s: names, types, numeric precision and scale', async (table) => {
    const catalog = await query<{
      name: string
      type: string
      precision: number | null
      scale: number | null
    }>(
      url,
      `SELECT column_name AS name, udt_name AS type, numeric_precision AS precision, numeric_scale AS scale
         FROM information_schema.columns WHERE table_name = $1 AND column_name <> 'id' ORDER BY ordinal_position`,
      [table],
    )
    const ours = COLUMNS[table as TableName].map((column) => ({
      name: column.name,
      type: pgType(column.kind),
      precision: column.numeric?.precision ?? (column.kind === 'decimal' ? -1 : null),
      scale: column.numeric?.scale ?? (column.kind === 'decimal' ? -1 : null),
    }))
    const expected = catalog.map((column) => ({
      ...column,
      precision: column.type === 'numeric' ? column.precision : null,
      scale: column.type === 'numeric' ? column.scale : null,
    }))
    expect(ours).toEqual(expected)
  })
})

describe("the guide's indexes and unique constraints exist", () => {
  const expected: Array<[table: string, columns: string, unique: boolean]> = [
    ['candlesticks', 'exchange,symbol,interval,timestamp', true],
    ['candlesticks', 'symbol,timestamp', false],
    ['candlesticks', 'exchange,timestamp', false],
    ['trades', 'exchange,symbol,timestamp', false],
    ['trades', 'symbol,timestamp', false],
    ['trades', 'exchange,symbol,trade_id', true],
    ['order_books', 'exchange,symbol,timestamp', false],
    ['order_books', 'symbol,timestamp', false],
    ['order_books', 'timestamp', false],
    ['market_metrics', 'metric_type,timestamp', true],
  ]

  it.each(expected)('%s (%s), unique: %s', async (table, columns, unique) => {
    const indexes = await query<{ columns: string; unique: boolean; valid: boolean }>(
      url,
      `SELECT string_agg(a.attname, ',' ORDER BY k.ord) AS columns, i.indisunique AS unique, i.indisvalid AS valid
         FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1::regclass GROUP BY i.indexrelid, i.indisunique, i.indisvalid`,
      [table],
    )
    const match = indexes.find((index) => index.columns === columns && (index.unique || !unique))
    expect(match, `no ${unique ? 'unique ' : ''}index on ${table} (${columns})`).toMatchObject({
      valid: true,
    })
  })
})

describe('createDstaPool: exact types, and sql.type() validates', () => {
  let pool: DatabasePool
  beforeAll(async () => {
    pool = await createDstaPool(url)
  })
  afterAll(async () => {
    await pool?.end()
  })

  it('untyped rows come back with exact decimals, Dates and bigints', async () => {
    const row = await pool.one(
      sql.unsafe`SELECT 12345678901234567890.123456789::numeric AS n, '2026-01-02T03:04:05Z'::timestamptz AS t, 9007199254740993::int8 AS b`,
    )
    expect(row).toEqual({
      n: '12345678901234567890.123456789',
      t: new Date('2026-01-02T03:04:05Z'),
      b: 9007199254740993n,
    })
  })

  it('a typed query is parsed by its schema (transforms applied) and refused when rows do not fit', async () => {
    const Row = z.object({ n: z.string().transform((text) => text.length) })
    expect(await pool.anyFirst(sql.type(Row)`SELECT x::text AS n FROM generate_series(9, 11) AS x`)).toEqual([
      1, 2, 2,
    ])
    const error = await pool
      .one(sql.type(z.object({ n: z.number() }))`SELECT 'x' AS n`)
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(SchemaValidationError)
  })

  it('a schema with async checks is refused with a clear error', async () => {
    const Row = z.object({ n: z.number().refine(async (n) => n > 0) })
    await expect(pool.one(sql.type(Row)`SELECT 1 AS n`)).rejects.toThrow(/needs a synchronous schema/)
  })
})
