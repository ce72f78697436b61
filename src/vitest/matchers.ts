// Query-plan assertions, registered by dstaDb() in every test file:
//   await expect(db).toUseIndex(query, 'candlesticks_exchange_symbol_interval_timestamp_key')
//   await expect(db).not.toSeqScan(query, 'candlesticks')
// The plan comes from `explain` (src/explain), loaded on first use.
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
  if (!isConnection(received))
    throw new TypeError(
      'dsta-db: expect(…).toUseIndex / toSeqScan take the db fixture (or any Slonik connection)',
    )
  const { explain } = await import('../explain/index.js')
  return explain(received, query, { preferIndexes: 'auto', freshStatistics: true })
}

function isConnection(value: unknown): value is CommonQueryMethods {
  return typeof value === 'object' && value !== null && 'query' in value && 'transaction' in value
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
