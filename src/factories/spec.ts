import type { Faker } from '@faker-js/faker'
import type { z } from 'zod'
import type { Random } from '../generate/random.js'
import type { Column } from '../schema/columns.js'
import type { FactoryState } from './state.js'

/** What a table's `make` gets for one row. */
export interface MakeContext<Row, Transient> {
  /** Values given by the user (factory params, then call overrides); everything else is derived. */
  given: Partial<Row>
  transient: Transient
  /** The row's own random stream, keyed by (seed, table, series, index). */
  random: Random
  /** A faker on the same stream, for free text. */
  faker: Faker
  /** Position of the row in its series (0 for the first candle of BTCUSDT 1h on binance…). */
  index: number
  state: FactoryState
}

/** A rule a row breaks beyond its zod schema: the field at fault and the rule in words. */
export interface RuleBreak {
  field: string
  rule: string
}

/**
 * Everything one table contributes to the factory core: how to derive a row around the given
 * values, which extra rules hold, and how its series (the unit of sequences) is named.
 */
export interface TableSpec<Row extends object, Transient extends object, Cursor> {
  /** Name in messages and in random keys: `candlestick`. */
  name: string
  table: string
  schema: z.ZodObject
  columns: readonly Column[]
  /**
   * Fields that identify a row within its series (timestamp, trade_id…). In a list, an override of
   * one of them sets the first row only; the rows after it continue the sequence from there.
   */
  sequenceFields: readonly string[]
  transient: Transient
  seriesKey(given: Partial<Row>): string
  make(context: MakeContext<Row, Transient>, cursor: Cursor | undefined): { row: Row; cursor: Cursor }
  check?(row: Row, context: MakeContext<Row, Transient>): RuleBreak | undefined
  /** For a rule on field f, the fields whose override may have caused it (for the error's hint). */
  involves?: Record<string, readonly string[]>
}
