import type pg from 'pg'
import type { CommonQueryMethods, PrimitiveValueExpression } from 'slonik'
import { pgType } from '../schema/columns.js'
import { dstaPgTypes } from '../schema/pg-types.js'
import { slonik } from '../schema/slonik.js'
import type { TableSpec } from './spec.js'

/** Where factories insert: a Slonik pool or connection, or a node-postgres pool or client. */
export type FactoryTarget = CommonQueryMethods | Pick<pg.Pool, 'query'>

const isSlonik = (db: FactoryTarget): db is CommonQueryMethods => 'any' in db && typeof db.any === 'function'
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

/** A JS value as a bind parameter of `sql.unnest`: dates as ISO text, JSON as text, bigints as text. */
function toParameter(value: unknown): PrimitiveValueExpression {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'bigint') return String(value)
  if (value !== null && typeof value === 'object') return JSON.stringify(value)
  return value as PrimitiveValueExpression
}

/**
 * Inserts rows in one round trip — `INSERT … SELECT * FROM unnest($1::text[], …) RETURNING *` —
 * and returns them as stored, typed by the table's zod schema, in the order given.
 */
export async function insertRows<Row extends object, Stored>(
  db: FactoryTarget,
  // biome-ignore lint/suspicious/noExplicitAny: only the columns and the schema are used here
  spec: TableSpec<Row, any, any>,
  rows: readonly Row[],
): Promise<Stored[]> {
  if (rows.length === 0) return []
  const { columns } = spec
  const tuples = rows.map((row) =>
    columns.map((column) => toParameter((row as Record<string, unknown>)[column.name])),
  )
  const stored = isSlonik(db) ? await viaSlonik(db, spec, tuples) : await viaPg(db, spec, tuples)
  // Identity values follow the order of the SELECT; sorting by id restores the order given.
  return ([...stored] as Array<{ id: bigint }>).sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  ) as Stored[]
}

// biome-ignore lint/suspicious/noExplicitAny: only the columns and the schema are used here
type AnySpec = TableSpec<any, any, any>

async function viaSlonik(db: CommonQueryMethods, spec: AnySpec, tuples: PrimitiveValueExpression[][]) {
  const { columns } = spec
  const { sql } = await slonik()
  const names = sql.join(
    columns.map((column) => sql.identifier([column.name])),
    sql.fragment`, `,
  )
  const values = sql.unnest(
    tuples,
    columns.map((column) => pgType(column.kind)),
  )
  return db.any(
    sql.type(
      spec.schema,
    )`INSERT INTO ${sql.identifier([spec.table])} (${names}) SELECT * FROM ${values} RETURNING *`,
  )
}

/** The same statement over node-postgres: one array per column, rows parsed as the Slonik pool does. */
async function viaPg(db: Pick<pg.Pool, 'query'>, spec: AnySpec, tuples: PrimitiveValueExpression[][]) {
  const { columns } = spec
  const names = columns.map((column) => quote(column.name)).join(', ')
  const arrays = columns.map((column, i) => `$${i + 1}::${pgType(column.kind)}[]`).join(', ')
  const result = await db.query({
    text: `INSERT INTO ${quote(spec.table)} (${names}) SELECT * FROM unnest(${arrays}) RETURNING *`,
    values: columns.map((_, i) => tuples.map((tuple) => tuple[i])),
    types: dstaPgTypes,
  })
  return result.rows.map((row) => spec.schema.parse(row))
}
