import { existsSync } from 'node:fs'
import type { CommonQueryMethods } from 'slonik'
import { sql } from 'slonik'
import { record } from '../suite/record.js'

/** Records the test's database, then waits while the file $DSTA_SAMPLE_GATE is missing (if named). */
export async function reachGate(db: CommonQueryMethods, test: string): Promise<void> {
  record({ test, database: await db.oneFirst(sql.unsafe`SELECT current_database()`) })
  const gate = process.env.DSTA_SAMPLE_GATE
  while (gate && !existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 50))
}
