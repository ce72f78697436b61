import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MigrationEvent, migrate } from '../src/migrate/index.js'
import { lockKey } from '../src/migrate/lock.js'
import type { StartedPostgres } from '../src/server/index.js'
import { startPostgres } from '../src/server/index.js'
import { freshDatabase, historyNames, migrationFolder, query, tableNames } from './migrate-support.js'

let server: StartedPostgres
beforeAll(async () => {
  server = await startPostgres()
})
afterAll(async () => {
  await server?.stop()
})

/** Another session holding the migration lock of the database at `url`, as a running migrator would. */
async function holdLock(url: string): Promise<{ pid: number; release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url, application_name: 'someone-else' })
  await client.connect()
  const database = new URL(url).pathname.slice(1)
  const key = lockKey(database, 'dsta_migrations').toString()
  const rows = (await client.query('SELECT pg_advisory_lock($1), pg_backend_pid() AS pid', [key])).rows
  return {
    pid: rows[0].pid,
    release: async () => {
      await client.query('SELECT pg_advisory_unlock($1)', [key])
      await client.end()
    },
  }
}

describe('the advisory lock', () => {
  it('times out with a clear error naming the holder, having changed nothing', async () => {
    const url = await freshDatabase(server.url)
    const holder = await holdLock(url)
    try {
      const events: MigrationEvent[] = []
      const error = await migrate(url, { lockTimeoutMs: 300, onEvent: (event) => events.push(event) }).catch(
        (e: unknown) => e,
      )
      expect(error).toMatchObject({ code: 'LOCK_TIMEOUT' })
      const message = (error as Error).message
      expect(message).toMatch(/another migrator holds the migration lock of database "m_\d+_\d+"/)
      expect(message).toContain(`within 300 ms: pid ${holder.pid} (application "someone-else", user postgres`)
      expect(message).toContain('pg_terminate_backend')
      expect(events[0]).toMatchObject({
        type: 'lock-wait',
        holder: expect.stringContaining(`pid ${holder.pid}`),
      })
      expect(await tableNames(url)).toEqual([])
    } finally {
      await holder.release()
    }
  })

  it('waits for the holder to finish, then runs', async () => {
    const url = await freshDatabase(server.url)
    const holder = await holdLock(url)
    const events: MigrationEvent[] = []
    const running = migrate(url, { lockTimeoutMs: 20_000, onEvent: (event) => events.push(event) })
    // Release once the migrator has seen the lock taken: the test does not depend on timing.
    while (!events.some((event) => event.type === 'lock-wait')) await new Promise((r) => setTimeout(r, 10))
    await holder.release()
    expect((await running).applied.map((step) => step.name)).toEqual(['0001_initial'])
  })

  it('is per database: a lock held on one database does not block another', async () => {
    const [busy, free] = [await freshDatabase(server.url), await freshDatabase(server.url)]
    const holder = await holdLock(busy)
    try {
      expect((await migrate(free, { lockTimeoutMs: 200 })).applied).toHaveLength(1)
    } finally {
      await holder.release()
    }
  })

  it('is released after a failing migration, on the session that took it', async () => {
    const dir = await migrationFolder({ '0002_bad.up.sql': 'SELECT nope;' })
    const url = await freshDatabase(server.url)
    await expect(migrate(url, { dirs: [dir] })).rejects.toMatchObject({ code: 'STATEMENT' })
    const locks = await query(url, "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'")
    expect(locks).toEqual([{ n: 0 }])
    expect((await migrate(url, { lockTimeoutMs: 0 })).applied).toEqual([]) // takes the lock at once
  })
})

describe('8 migrators at once on one empty database, 20 rounds', () => {
  it('apply each migration exactly once; every one succeeds or waits, none fails', async () => {
    // A concurrent index build among them: waiters must not hold a transaction open while it runs,
    // or it would wait for them while they wait for it (Flyway's hang). The bounded lock wait turns
    // such a hang into a failure.
    const dir = await migrationFolder({
      '0002_notes.up.sql': 'CREATE TABLE notes (id int PRIMARY KEY, body text);\n',
      '0003_ix.up.sql': '-- dsta:no-transaction\nCREATE INDEX CONCURRENTLY notes_body_idx ON notes (body);\n',
      '0004_more.up.sql': 'ALTER TABLE notes ADD COLUMN at timestamptz;\n',
    })
    const all = ['0001_initial', '0002_notes', '0003_ix', '0004_more']
    const rounds = 20
    let applied = 0
    let failed = 0
    let waited = 0
    for (let round = 1; round <= rounds; round++) {
      const url = await freshDatabase(server.url)
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () =>
          migrate(url, {
            dirs: [dir],
            lockTimeoutMs: 25_000,
            onEvent: (event) => {
              if (event.type === 'lock-wait') waited++
            },
          }),
        ),
      )
      failed += results.filter((result) => result.status === 'rejected').length
      const steps = results.flatMap((result) =>
        result.status === 'fulfilled' ? result.value.applied.map((step) => step.name) : [],
      )
      applied += steps.length
      expect(steps.sort(), `round ${round}`).toEqual(all) // each exactly once
      expect(await historyNames(url), `round ${round}`).toEqual(all)
      const valid = await query(
        url,
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'notes_body_idx'::regclass",
      )
      expect(valid, `round ${round}`).toEqual([{ indisvalid: true }])
    }
    console.log(
      `8 migrators × ${rounds} rounds: ${rounds * 8} runs, ${failed} failed, ${applied} migrations applied ` +
        `(${all.length} per round, each once), ${waited} waits for the lock`,
    )
    expect(failed).toBe(0)
  }, 300_000)
})
