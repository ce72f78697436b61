import type pg from 'pg'

/**
 * Identity sequences are not transactional: a rolled-back insert still uses up an id. So that a
 * test's rows (ids included) do not depend on the tests and files run before it, the values of the
 * database's sequences are read when a file or a test starts and put back when it ends. Reading
 * rides on the SAVEPOINT round trip, putting back on the ROLLBACK one: no extra round trip.
 */
export class SequenceGuard {
  readonly #sequences: { oid: number; start: string }[]

  private constructor(sequences: { oid: number; start: string }[]) {
    this.#sequences = sequences
  }

  /**
   * Runs `first` (e.g. BEGIN) and reads the database's sequences with their values, in one round
   * trip: the guard, and the values to put back at the end.
   */
  static async withValues(
    client: pg.Client,
    first: string,
  ): Promise<{ guard: SequenceGuard; values: (string | null)[] }> {
    const results = (await client.query(
      `${first}; SELECT c.oid::int AS oid, s.seqstart::text AS start, pg_sequence_last_value(c.oid)::text AS value
       FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relpersistence <> 't' ORDER BY c.oid`,
    )) as unknown as pg.QueryResult<{ oid: number; start: string; value: string | null }>[]
    const rows = results.at(-1)?.rows ?? []
    return {
      guard: new SequenceGuard(rows.map(({ oid, start }) => ({ oid, start }))),
      values: rows.map((row) => row.value),
    }
  }

  /** A statement whose one row holds every sequence's last value (null: never used). */
  readSql(): string {
    if (this.#sequences.length === 0) return 'SELECT'
    return `SELECT ${this.#sequences.map(({ oid }, i) => `pg_sequence_last_value(${oid})::text AS s${i}`).join(', ')}`
  }

  /** The values of a `readSql()` result, as the restore statement needs them. */
  values(result: pg.QueryResult): (string | null)[] {
    const row = (result.rows[0] ?? {}) as Record<string, string | null>
    return this.#sequences.map((_, i) => row[`s${i}`] ?? null)
  }

  /** A statement that puts back each sequence whose value moved since `values` were read. */
  restoreSql(values: (string | null)[]): string {
    if (this.#sequences.length === 0) return 'SELECT'
    const parts = this.#sequences.map(({ oid, start }, index) => {
      const value = values[index] ?? null
      const target = value === null ? `setval(${oid}, ${start}, false)` : `setval(${oid}, ${value}, true)`
      return `CASE WHEN pg_sequence_last_value(${oid}) IS DISTINCT FROM ${value ?? 'NULL'} THEN ${target} END`
    })
    return `SELECT ${parts.join(', ')}`
  }
}
