import type { CommonQueryMethods, PrimitiveValueExpression } from 'slonik'
import { pgType } from '../schema/columns.js'
import { slonik } from '../schema/slonik.js'
import type { TableSpec } from './spec.js'

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
  db: CommonQueryMethods,
  // biome-ignore lint/suspicious/noExplicitAny: only the columns and the schema are used here
  spec: TableSpec<Row, any, any>,
  rows: readonly Row[],
): Promise<Stored[]> {
  if (rows.length === 0) return []
  const { columns } = spec
  const tuples = rows.map((row) =>
    columns.map((column) => toParameter((row as Record<string, unknown>)[column.name])),
  )
  const { sql } = await slonik()
  const names = sql.join(
    columns.map((column) => sql.identifier([column.name])),
    sql.fragment`, `,
  )
  const values = sql.unnest(
    tuples,
    columns.map((column) => pgType(column.kind)),
  )
  const stored = await db.any(
    sql.type(
      spec.schema,
    )`INSERT INTO ${sql.identifier([spec.table])} (${names}) SELECT * FROM ${values} RETURNING *`,
  )
  // Identity values follow the order of the SELECT; sorting by id restores the order given.
  return ([...stored] as Array<{ id: bigint }>).sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  ) as Stored[]
}
