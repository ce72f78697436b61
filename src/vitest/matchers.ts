// Query-plan assertions, registered by dstaDb() in every test file:
//   await expect(db).toUseIndex(query, 'candlesticks_exchange_symbol_interval_timestamp_key')
//   await expect(db).not.toSeqScan(query, 'candlesticks')
// `db` or `pool`. The plan comes from `explain` (src/explain), loaded on first use.
import type { CommonQueryMethods, QuerySqlToken } from 'slonik'
import { expect } from 'vitest'
import type { QueryPlan } from '../explain/index.js'

/** What the matchers accept as the query: a Slonik query or SQL text. */
export type PlanQuery = QuerySqlToken | string

// Declared on Chai's Assertion, which Vitest 4 and 5 both map onto their own `Assertion` (Vitest's
// `Matchers` interface takes different type parameters in 4 and 5, so one augmentation cannot fit both).
declare global {
  namespace Chai {
    interface Assertion {
      /**
       * The plan of `query` on this connection reads `index`. Fair on small test tables: planned as
       * is, and again with sequential scans off when the first plan had one (the message says which).
       */
      toUseIndex(query: PlanQuery, index: string): Promise<void>
      /** The plan of `query` reads `table` (any table when omitted) sequentially; use with `.not`. */
      toSeqScan(query: PlanQuery, table?: string): Promise<void>
    }
  }
}

interface MatcherContext {
  isNot: boolean
}

/**
 * Planned with `preferIndexes: 'auto'` and fresh statistics: a few rows in a test make a sequential
 * scan the cheapest plan whatever the indexes, and the question a test asks is whether an index
 * serves the query.
 */
async function planOf(received: unknown, query: PlanQuery): Promise<QueryPlan> {
  const { explain } = await import('../explain/index.js')
  const options = { preferIndexes: 'auto', freshStatistics: true } as const
  if (isSlonik(received)) return explain(received, query, options)
  if (!isPgPool(received))
    throw new TypeError(
      'dsta-db: expect(…).toUseIndex / toSeqScan take the db or pool fixture (a Slonik connection or a pg.Pool)',
    )
  // A pg pool (the `pool` fixture, or a real one): explain on one of its clients, in a transaction
  // rolled back at the end (inside the test's, its BEGIN and ROLLBACK are savepoints).
  const client = await received.connect()
  try {
    await client.query('BEGIN')
    return await explain(overPg(client), query, options)
  } finally {
    await client.query('ROLLBACK').catch(() => {})
    client.release()
  }
}

interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>
}
interface PgPoolLike {
  connect(): Promise<PgQueryable & { release(): void }>
}

function isSlonik(value: unknown): value is CommonQueryMethods {
  return typeof value === 'object' && value !== null && 'query' in value && 'transaction' in value
}

function isPgPool(value: unknown): value is PgPoolLike {
  return typeof value === 'object' && value !== null && 'query' in value && 'connect' in value
}

/**
 * The few methods `explain` calls, over a pg client: Slonik's query tokens carry their SQL text and
 * values, and its nested transactions become savepoints here as they do in Slonik.
 */
function overPg(client: PgQueryable): CommonQueryMethods {
  const run = (token: { sql: string; values: readonly unknown[] }) =>
    client.query(token.sql, [...token.values])
  let depth = 0
  const methods = {
    query: run,
    oneFirst: async (token: { sql: string; values: readonly unknown[] }) =>
      Object.values((await run(token)).rows[0] ?? {})[0],
    transaction: async <T>(work: (connection: CommonQueryMethods) => Promise<T>): Promise<T> => {
      const name = `dsta_explain_${++depth}`
      await client.query(`SAVEPOINT ${name}`)
      try {
        const result = await work(methods as unknown as CommonQueryMethods)
        await client.query(`RELEASE SAVEPOINT ${name}`)
        return result
      } catch (error) {
        await client.query(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`)
        throw error
      } finally {
        depth--
      }
    },
  }
  return methods as unknown as CommonQueryMethods
}

function how(plan: QueryPlan): string {
  return plan.seqscanDisabled
    ? 'planned with enable_seqscan = off, after the plan as is chose a sequential scan (small test tables make it the cheapest)'
    : 'planned as is'
}

function ran(plan: QueryPlan): string {
  const parts = [
    plan.indexes.length ? `index(es) ${plan.indexes.join(', ')}` : 'no index',
    ...(plan.seqScans.length ? [`a sequential scan of ${plan.seqScans.join(', ')}`] : []),
  ]
  return parts.join(' and ')
}

const matchers = {
  async toUseIndex(this: MatcherContext, received: unknown, query: PlanQuery, index: string) {
    const plan = await planOf(received, query)
    const pass = plan.indexes.includes(index)
    return {
      pass,
      message: () =>
        (pass
          ? `expected the plan not to use index ${index}, but it does`
          : `expected the plan to use index ${index}; it read ${ran(plan)} instead`) +
        ` (${how(plan)}):\n${plan.text}`,
    }
  },
  async toSeqScan(this: MatcherContext, received: unknown, query: PlanQuery, table?: string) {
    const plan = await planOf(received, query)
    const pass = table === undefined ? plan.seqScans.length > 0 : plan.seqScans.includes(table)
    const what = table === undefined ? 'any table' : table
    return {
      pass,
      message: () =>
        (pass
          ? `expected no sequential scan of ${what}; the plan reads ${ran(plan)}`
          : `expected a sequential scan of ${what}; the plan reads ${ran(plan)}`) +
        ` (${how(plan)}):\n${plan.text}`,
    }
  },
}

/** Adds the plan matchers to this file's `expect` (called by the per-file setup). */
export function registerPlanMatchers(): void {
  expect.extend(matchers)
}
