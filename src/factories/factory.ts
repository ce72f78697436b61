import { integerDigitsOf, scaleOf } from './decimal.js'
import { describeIssue, FactoryValidationError } from './errors.js'
import { type FactoryTarget, insertRows } from './insert.js'
import type { MakeContext, RuleBreak, TableSpec } from './spec.js'
import type { FactoryState, SeriesEntry } from './state.js'

/** Values a caller may give for a row: any column but `id`, which the database assigns. */
export type Overrides<Row> = Partial<Row>
/** A row as stored: the built row plus its id, with the types the pool's parsers return. */
export type Stored<Row> = Row & { id: bigint }

interface Config<Row, Transient> {
  params: Overrides<Row>
  transient: Partial<Transient>
}

// biome-ignore lint/suspicious/noExplicitAny: the cursor type is private to each table spec
type AnySpec<Row extends object, Transient extends object> = TableSpec<Row, Transient, any>

/**
 * A factory of one table, immutable in the style of fishery: `params`, `transient` and the traits
 * of each table return a new factory and leave this one as it was. Every factory derived from one
 * set shares that set's state (sequences and random streams), so rows of `factories.candlestick`
 * and of `factories.candlestick.bullish()` never collide. `build*` touch no database; `create*`
 * insert in one round trip.
 */
export class Factory<Row extends object, Transient extends object> {
  constructor(
    protected readonly spec: AnySpec<Row, Transient>,
    protected readonly state: FactoryState,
    protected readonly db: FactoryTarget,
    protected readonly config: Config<Row, Transient> = { params: {}, transient: {} },
  ) {}

  /** A factory whose rows take these values (merged over earlier params; arrays are replaced). */
  params(params: Overrides<Row>): this {
    return this.derive({ ...this.config, params: { ...this.config.params, ...params } })
  }

  /** A factory with these transient parameters: they shape the rows but are not columns. */
  transient(transient: Partial<Transient>): this {
    return this.derive({ ...this.config, transient: { ...this.config.transient, ...transient } })
  }

  /** One valid row, without touching the database (no id). */
  build(overrides?: Overrides<Row>): Row {
    return this.rows(1, overrides, this.build)[0] as Row
  }

  /** `n` valid rows of one series: consecutive keys, one continuous path. */
  buildList(n: number, overrides?: Overrides<Row>): Row[] {
    return this.rows(n, overrides, this.buildList)
  }

  /** One row inserted through the set's connection; returns it as stored, with its id. */
  async create(overrides?: Overrides<Row>): Promise<Stored<Row>> {
    const [row] = await insertRows(this.db, this.spec, this.rows(1, overrides, this.create))
    return row as Stored<Row>
  }

  /** `n` rows as `buildList` makes them, inserted in a single statement; returned in order. */
  async createList(n: number, overrides?: Overrides<Row>): Promise<Stored<Row>[]> {
    return insertRows(this.db, this.spec, this.rows(n, overrides, this.createList))
  }

  protected derive(config: Config<Row, Transient>): this {
    const Derived = this.constructor as new (
      ...args: ConstructorParameters<typeof Factory<Row, Transient>>
    ) => this
    return new Derived(this.spec, this.state, this.db, config)
  }

  /**
   * Builds synchronously, before `create` awaits anything: concurrent `create` calls still take
   * their sequence numbers in call order. State moves only once every row has passed its checks.
   */
  private rows(n: number, overrides: Overrides<Row> | undefined, entry: (...args: never) => unknown): Row[] {
    try {
      return this.makeRows(n, overrides)
    } catch (error) {
      // A user mistake: point the stack at the caller's line, not at our frames.
      if (error instanceof FactoryValidationError) Error.captureStackTrace(error, entry)
      throw error
    }
  }

  private makeRows(n: number, overrides: Overrides<Row> | undefined): Row[] {
    const { spec, state } = this
    if (!Number.isInteger(n) || n < 0)
      throw new FactoryValidationError(spec.name, 'n', `a list needs a whole number of rows ≥ 0, got ${n}`)
    const given = definedEntries({ ...this.config.params, ...overrides }) as Overrides<Row>
    this.checkGiven(given)
    const transient = { ...spec.transient, ...this.config.transient } as Transient
    const updates = new Map<string, SeriesEntry<unknown>>()
    const rows: Row[] = []
    for (let i = 0; i < n; i++) {
      const rowGiven = i === 0 ? given : (withoutKeys(given, spec.sequenceFields) as Overrides<Row>)
      const series = spec.seriesKey(rowGiven)
      const previous = updates.get(series) ?? state.series(series)
      const index = previous?.count ?? 0
      const random = state.rowRandom(spec.name, series, index)
      const context: MakeContext<Row, Transient> = {
        given: rowGiven,
        transient,
        random,
        faker: state.rowFaker,
        index,
        state,
      }
      const { row, cursor } = spec.make(context, previous?.cursor)
      this.checkRow(row, context, Object.keys(rowGiven))
      updates.set(series, { count: index + 1, cursor })
      rows.push(row)
    }
    state.commit(updates)
    return rows
  }

  /** Each given value on its own: known column, right type and enum, fits its numeric column. */
  private checkGiven(given: Record<string, unknown>): void {
    const { spec } = this
    const shape = spec.schema.shape
    for (const [field, value] of Object.entries(given)) {
      if (field === 'id')
        throw new FactoryValidationError(spec.name, 'id', 'id is assigned by the database; leave it out', [
          'id',
        ])
      const schema = shape[field]
      if (!schema) {
        const known = Object.keys(shape).filter((key) => key !== 'id')
        throw new FactoryValidationError(
          spec.name,
          field,
          `unknown field "${field}"; the fields are ${known.join(', ')}`,
        )
      }
      const result = schema.safeParse(value)
      const issue = result.error?.issues[0]
      if (issue) {
        const { field: at, rule } = describeIssue({ ...issue, path: [field, ...issue.path] }, given)
        throw new FactoryValidationError(spec.name, at, rule, [field])
      }
      const numeric = spec.columns.find((column) => column.name === field)?.numeric
      if (numeric && typeof value === 'string') {
        const { precision, scale } = numeric
        const type = `numeric(${precision},${scale})`
        if (scaleOf(value) > scale)
          throw new FactoryValidationError(
            spec.name,
            field,
            `${field} ${value} has ${scaleOf(value)} decimals; the column ${type} keeps ${scale}`,
            [field],
          )
        if (integerDigitsOf(value) > precision - scale)
          throw new FactoryValidationError(
            spec.name,
            field,
            `${field} ${value} has more than ${precision - scale} digits before the point, too many for ${type}`,
            [field],
          )
      }
    }
  }

  /** The whole row: the schema's cross-field rules, then the table's own (grid, trait, quote…). */
  private checkRow(row: Row, context: MakeContext<Row, Transient>, givenFields: string[]): void {
    const { spec } = this
    const issue = spec.schema.safeParse(row).error?.issues[0]
    const broken: RuleBreak | undefined = issue ? describeIssue(issue, row) : spec.check?.(row, context)
    if (!broken) return
    const causes = [broken.field.replace(/[[.].*$/, ''), ...(spec.involves?.[broken.field] ?? [])]
    const hint = causes.filter((field) => givenFields.includes(field))
    throw new FactoryValidationError(spec.name, broken.field, broken.rule, hint)
  }
}

function definedEntries(values: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined))
}

function withoutKeys(values: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !keys.includes(key)))
}
