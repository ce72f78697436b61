import type { CommonQueryMethods, QuerySqlToken } from 'slonik'
import { slonik } from '../schema/slonik.js'

/**
 * Query plans as data: `explain(db, query)` runs `EXPLAIN (FORMAT JSON)` and returns the plan
 * flattened into nodes, the indexes it reads, the tables it scans sequentially, and estimated (with
 * `analyze`, also actual) rows. What the CLI's `explain` and `verify` print, and what a test can
 * assert on (`expect(plan.indexes).toContain('candlesticks_symbol_timestamp_idx')`).
 */

export interface ExplainOptions {
  /**
   * Run the query (`EXPLAIN ANALYZE`) to get actual rows, loops and times. It runs inside a
   * transaction (or savepoint) that is rolled back, so even an INSERT or DELETE leaves nothing.
   */
  analyze?: boolean
  /**
   * Plan with `SET LOCAL enable_seqscan = off`. On a small test table a sequential scan is the
   * cheapest plan whatever the indexes, so "does it use the index?" needs this to get a fair answer:
   * it asks whether an index *can* serve the query. `'auto'` plans as is first, and again with
   * sequential scans off only when the first plan has one. Default `false`. The result's
   * `seqscanDisabled` says which plan was returned.
   */
  preferIndexes?: boolean | 'auto'
  /**
   * ANALYZE the tables the query reads before planning, inside the same rolled-back transaction:
   * the plan then reflects the rows as they are now (rows loaded in a test's transaction, or a table
   * never analyzed, otherwise leave the planner guessing). The column statistics are rolled back;
   * the table's row and page estimates in pg_class are written in place by PostgreSQL and stay.
   */
  freshStatistics?: boolean
  /**
   * Plan as if these indexes did not exist: they are dropped inside the rolled-back transaction. On a
   * table of a few rows several indexes tie, and this asks whether the one left can serve the query.
   * Takes an ACCESS EXCLUSIVE lock on their tables until the rollback (waiting at most 2 s): meant
   * for test and dev databases. An index that backs a constraint cannot be hidden.
   */
  withoutIndexes?: readonly string[]
}

/** One node of the plan tree, in depth-first order. */
export interface PlanNode {
  /** `Index Scan`, `Index Only Scan`, `Seq Scan`, `Bitmap Heap Scan`, `Sort`, `Limit` … */
  type: string
  /** 0 for the root, 1 for its children … */
  depth: number
  /** The table read, for scans. */
  relation?: string
  /** The index read, for index and bitmap index scans. */
  index?: string
  /** `Backward` when an index is read in reverse order (ORDER BY … DESC). */
  direction?: 'Forward' | 'Backward' | 'NoMovement'
  /** The planner's estimate of rows this node returns (per loop). */
  estimatedRows: number
  /** With `analyze`: rows this node returned over all its loops. */
  actualRows?: number
  /** With `analyze`: how many times the node ran. */
  loops?: number
  /** The planner's total cost estimate. */
  totalCost: number
  indexCond?: string
  filter?: string
}

export interface QueryPlan {
  /** The plan as PostgreSQL returns it (the one element of `EXPLAIN (FORMAT JSON)`): `{ Plan, Planning Time?, … }`. */
  json: Record<string, unknown>
  /** Every node, depth first. */
  nodes: PlanNode[]
  /** The indexes the plan reads, each once, in plan order. */
  indexes: string[]
  /** The tables the plan reads with a sequential scan, each once. */
  seqScans: string[]
  /** The root's estimated rows. */
  estimatedRows: number
  /** With `analyze`: the root's actual rows. */
  actualRows?: number
  /** With `analyze`: planning and execution times in ms (never stable: do not assert on them). */
  planningMs?: number
  executionMs?: number
  /** Whether this plan was made with `enable_seqscan = off` (see `preferIndexes`). */
  seqscanDisabled: boolean
  /** The indexes hidden from the planner (see `withoutIndexes`). */
  hiddenIndexes: string[]
  /** The plan drawn as EXPLAIN's text output draws it, one node a line. */
  text: string
}

type RawNode = Record<string, unknown> & { Plans?: RawNode[] }

/** The plan of `query` (a Slonik query or SQL text) on `db`: a pool, a connection or a transaction. */
export async function explain(
  db: CommonQueryMethods,
  query: QuerySqlToken | string,
  options: ExplainOptions = {},
): Promise<QueryPlan> {
  const { sql } = await slonik()
  const token = typeof query === 'string' ? fromText(sql, query) : query
  const mode = options.preferIndexes ?? false
  const settings = {
    analyze: !!options.analyze,
    fresh: !!options.freshStatistics,
    hidden: options.withoutIndexes ?? [],
  }
  const first = await planOnce(sql, db, token, { ...settings, seqscanOff: mode === true })
  if (mode !== 'auto' || first.seqScans.length === 0) return first
  return planOnce(sql, db, token, { ...settings, seqscanOff: true })
}

/** Whether the plan reads `index` (by name). */
export function usesIndex(plan: QueryPlan, index: string): boolean {
  return plan.indexes.includes(index)
}

/** Whether the plan reads `table` (any table when omitted) with a sequential scan. */
export function hasSeqScan(plan: QueryPlan, table?: string): boolean {
  return table === undefined ? plan.seqScans.length > 0 : plan.seqScans.includes(table)
}

const ROLLBACK = Symbol('explain: roll back')

type SqlTag = Awaited<ReturnType<typeof slonik>>['sql']

async function planOnce(
  sql: SqlTag,
  db: CommonQueryMethods,
  query: QuerySqlToken,
  settings: { analyze: boolean; fresh: boolean; seqscanOff: boolean; hidden: readonly string[] },
): Promise<QueryPlan> {
  const { analyze, fresh, seqscanOff, hidden } = settings
  let json: Record<string, unknown> | undefined
  // Always in a transaction that is rolled back: SET LOCAL ends with it, and so does what ANALYZE ran.
  const inTransaction = async (connection: CommonQueryMethods) => {
    try {
      await connection.transaction(async (transaction) => {
        if (seqscanOff) await transaction.query(sql.unsafe`SET LOCAL enable_seqscan = off`)
        if (hidden.length) {
          await transaction.query(sql.unsafe`SET LOCAL lock_timeout = '2s'`)
          for (const index of hidden)
            await transaction.query(sql.unsafe`DROP INDEX ${sql.identifier([index])}`)
        }
        if (fresh) {
          const value = await transaction.oneFirst(sql.unsafe`EXPLAIN (FORMAT JSON) ${query}`)
          const tables = relationsOf((typeof value === 'string' ? JSON.parse(value) : value)[0].Plan)
          if (tables.length)
            await transaction.query(
              sql.unsafe`ANALYZE ${sql.join(
                tables.map((table) => sql.identifier([table])),
                sql.fragment`, `,
              )}`,
            )
        }
        const explained = analyze
          ? sql.unsafe`EXPLAIN (FORMAT JSON, ANALYZE, BUFFERS OFF) ${query}`
          : sql.unsafe`EXPLAIN (FORMAT JSON) ${query}`
        const value = await transaction.oneFirst(explained)
        json = (typeof value === 'string' ? JSON.parse(value) : value)[0]
        throw ROLLBACK
      })
    } catch (error) {
      if (error !== ROLLBACK) throw error
    }
  }
  // A pool's own transaction() would drop the connection on our deliberate throw; take one and roll back there.
  if ('connect' in db && typeof db.connect === 'function')
    await (db as unknown as { connect: (use: typeof inTransaction) => Promise<void> }).connect(inTransaction)
  else await inTransaction(db)
  if (!json) throw new Error('EXPLAIN returned no plan')
  return fromJson(json, seqscanOff, hidden)
}

function relationsOf(root: RawNode): string[] {
  const found = new Set<string>()
  const walk = (raw: RawNode) => {
    if (typeof raw['Relation Name'] === 'string') found.add(raw['Relation Name'])
    for (const child of raw.Plans ?? []) walk(child)
  }
  walk(root)
  return [...found]
}

function fromJson(
  json: Record<string, unknown>,
  seqscanDisabled: boolean,
  hiddenIndexes: readonly string[],
): QueryPlan {
  const nodes: PlanNode[] = []
  const walk = (raw: RawNode, depth: number) => {
    nodes.push(node(raw, depth))
    for (const child of raw.Plans ?? []) walk(child, depth + 1)
  }
  walk(json.Plan as RawNode, 0)
  const unique = (values: (string | undefined)[]) => [...new Set(values.filter((v): v is string => !!v))]
  const root = nodes[0] as PlanNode
  return {
    json,
    nodes,
    indexes: unique(nodes.map((n) => n.index)),
    seqScans: unique(nodes.filter((n) => n.type === 'Seq Scan').map((n) => n.relation)),
    estimatedRows: root.estimatedRows,
    ...(root.actualRows === undefined ? {} : { actualRows: root.actualRows }),
    ...(typeof json['Planning Time'] === 'number' ? { planningMs: json['Planning Time'] } : {}),
    ...(typeof json['Execution Time'] === 'number' ? { executionMs: json['Execution Time'] } : {}),
    seqscanDisabled,
    hiddenIndexes: [...hiddenIndexes],
    text: nodes.map(draw).join('\n'),
  }
}

function node(raw: RawNode, depth: number): PlanNode {
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined)
  const loops = typeof raw['Actual Loops'] === 'number' ? raw['Actual Loops'] : undefined
  const actual = typeof raw['Actual Rows'] === 'number' ? raw['Actual Rows'] : undefined
  const result: PlanNode = {
    type: text('Node Type') ?? 'unknown',
    depth,
    estimatedRows: Number(raw['Plan Rows'] ?? 0),
    totalCost: Number(raw['Total Cost'] ?? 0),
  }
  const relation = text('Relation Name')
  const index = text('Index Name')
  const direction = text('Scan Direction')
  if (relation) result.relation = relation
  if (index) result.index = index
  if (direction === 'Forward' || direction === 'Backward' || direction === 'NoMovement')
    result.direction = direction
  if (actual !== undefined && loops !== undefined) {
    result.actualRows = Math.round(actual * loops)
    result.loops = loops
  }
  const indexCond = text('Index Cond')
  const filter = text('Filter')
  if (indexCond) result.indexCond = indexCond
  if (filter) result.filter = filter
  return result
}

/** `  ->  Index Scan Backward using candlesticks_… on candlesticks  (rows=100) (actual rows=100 loops=1)`. */
function draw(n: PlanNode): string {
  const indent = n.depth ? `${'      '.repeat(n.depth - 1)}  ->  ` : ''
  const backward = n.direction === 'Backward' ? ' Backward' : ''
  const using = n.index ? ` using ${n.index}` : ''
  const on = n.relation ? ` on ${n.relation}` : ''
  const actual = n.actualRows === undefined ? '' : ` (actual rows=${n.actualRows} loops=${n.loops})`
  const lines = [
    `${indent}${n.type}${backward}${using}${on}  (cost=${n.totalCost} rows=${n.estimatedRows})${actual}`,
  ]
  const pad = `${' '.repeat(indent.length)}      `
  if (n.indexCond) lines.push(`${pad}Index Cond: ${n.indexCond}`)
  if (n.filter) lines.push(`${pad}Filter: ${n.filter}`)
  return lines.join('\n')
}

/** SQL text as a Slonik query, as it is (no parameters). */
function fromText(sql: SqlTag, text: string): QuerySqlToken {
  const trimmed = text.trim().replace(/;\s*$/, '')
  if (!trimmed) throw new Error('explain: the query is empty')
  // Slonik takes only template literals: a frozen strings array with a frozen `raw`, as one is
  const parts = Object.freeze(Object.assign([trimmed], { raw: Object.freeze([trimmed]) }))
  return sql.unsafe(parts as unknown as TemplateStringsArray)
}
