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

  static async of(client: pg.Client): Promise<SequenceGuard> {
    const result = await client.query<{ oid: number; start: string }>(
      `SELECT c.oid::int AS oid, s.seqstart::text AS start FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
       WHERE c.relpersistence <> 't' ORDER BY c.oid`,
    )
    return new SequenceGuard(result.rows)
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
