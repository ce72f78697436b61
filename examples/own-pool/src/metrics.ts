// Application code on Kysely: it is handed a pg.Pool (as services built with dependency injection
// are), and runs its own transactions.
import { Kysely, PostgresDialect } from 'kysely'
import type { Pool } from 'pg'

interface Database {
  market_metrics: {
    id: import('kysely').Generated<string>
    metric_type: string
    timestamp: Date
    value: string
  }
}

export function createDb(pool: Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/** Records a day's readings, all or none. */
export async function recordReadings(
  db: Kysely<Database>,
  day: Date,
  readings: { metric: string; value: string }[],
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const reading of readings)
      await tx
        .insertInto('market_metrics')
        .values({ metric_type: reading.metric, timestamp: day, value: reading.value })
        .execute()
  })
}

export async function readingsOf(db: Kysely<Database>, metric: string): Promise<number> {
  const row = await db
    .selectFrom('market_metrics')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('metric_type', '=', metric)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
