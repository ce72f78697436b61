import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_MIGRATIONS_DIR,
  type MigrationEvent,
  migrate,
  migrationStatus,
} from '../src/migrate/index.js'
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

const DSTA_TABLES = ['candlesticks', 'dsta_migrations', 'market_metrics', 'order_books', 'trades']

/** Three small migrations after the DSTA schema, each with its down file. */
function threeMore(): Promise<string> {
  return migrationFolder({
    '0002_notes.up.sql': 'CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);\n',
    '0002_notes.down.sql': 'DROP TABLE notes;\n',
    '0003_tags.up.sql':
      'CREATE TABLE tags (id int PRIMARY KEY);\nALTER TABLE notes ADD COLUMN tag int REFERENCES tags;\n',
    '0003_tags.down.sql': 'ALTER TABLE notes DROP COLUMN tag;\nDROP TABLE tags;\n',
    '0004_audit.up.sql': 'CREATE TABLE audit (at timestamptz NOT NULL DEFAULT now());\n',
    '0004_audit.down.sql': 'DROP TABLE audit;\n',
  })
}

describe('migrate: applying', () => {
  it('applies the DSTA schema once and records name, SHA-256 of the file, time and duration', async () => {
    const url = await freshDatabase(server.url)
    const first = await migrate(url)
    expect(first.applied.map((step) => step.name)).toEqual(['0001_initial'])
    expect(await tableNames(url)).toEqual(DSTA_TABLES)
    const [row] = await query(
      url,
      'SELECT name, checksum, kind, applied_at, duration_ms FROM dsta_migrations',
    )
    const bytes = await readFile(join(DEFAULT_MIGRATIONS_DIR, '0001_initial.up.sql'))
    expect(row?.checksum).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(row).toMatchObject({ name: '0001_initial', kind: 'applied' })
    expect(row?.applied_at).toBeInstanceOf(Date)
    expect(row?.duration_ms).toBeGreaterThanOrEqual(0)
    const second = await migrate(url)
    expect(second.applied).toEqual([])
    expect(await historyNames(url)).toEqual(['0001_initial'])
  })

  it('orders files of several folders by version, whichever folder holds them', async () => {
    const a = await migrationFolder({
      '0001_a.up.sql': 'CREATE TABLE a (x int PRIMARY KEY);',
      '0003_c.up.sql': 'CREATE TABLE c (x int);',
    })
    const b = await migrationFolder({ '0002_b.up.sql': 'CREATE TABLE b (x int REFERENCES a (x));' })
    const url = await freshDatabase(server.url)
    const events: MigrationEvent[] = []
    const result = await migrate(url, {
      dirs: [b, a],
      dstaSchema: false,
      onEvent: (event) => events.push(event),
    })
    expect(result.applied.map((step) => step.name)).toEqual(['0001_a', '0002_b', '0003_c'])
    const started = events.filter((event) => event.type === 'start').map((event) => event.name)
    expect(started).toEqual(['0001_a', '0002_b', '0003_c'])
    expect(events[0]?.type).toBe('lock-acquired')
  }, 10_000)

  it('applies the user folders after the DSTA schema, and up to a target version', async () => {
    const url = await freshDatabase(server.url)
    const result = await migrate(url, { dirs: [await threeMore()], to: '0003' })
    expect(result.applied.map((step) => step.name)).toEqual(['0001_initial', '0002_notes', '0003_tags'])
    expect(await tableNames(url)).toContain('tags')
    expect(await tableNames(url)).not.toContain('audit')
  })

  it('uses the history table it is given', async () => {
    const url = await freshDatabase(server.url)
    await migrate(url, { historyTable: 'schema_history' })
    expect(await historyNames(url, 'schema_history')).toEqual(['0001_initial'])
    expect(await tableNames(url)).not.toContain('dsta_migrations')
    await expect(migrate(url, { historyTable: 'Bad-Name' })).rejects.toThrow(/historyTable "Bad-Name"/)
    const other = await freshDatabase(server.url)
    await expect(migrate(other, { historyTable: 'ops.history' })).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringContaining(
        'cannot create the history table "ops"."history": schema "ops" does not exist',
      ),
    })
    expect(await tableNames(other)).toEqual([])
    await query(other, 'CREATE SCHEMA ops')
    await migrate(other, { historyTable: 'ops.history' })
    expect(await historyNames(other, 'ops.history')).toEqual(['0001_initial'])
  })
})

describe('migrate: rolling back', () => {
  it('rolls back to a named migration, latest first, then to zero, then up again', async () => {
    const url = await freshDatabase(server.url)
    const dirs = [await threeMore()]
    await migrate(url, { dirs })
    const back = await migrate(url, { dirs, to: '0001_initial' })
    expect(back.rolledBack.map((step) => step.name)).toEqual(['0004_audit', '0003_tags', '0002_notes'])
    expect(back.rolledBack[0]?.file).toMatch(/0004_audit\.down\.sql$/)
    expect(await historyNames(url)).toEqual(['0001_initial'])
    expect(await tableNames(url)).toEqual(DSTA_TABLES)

    const zero = await migrate(url, { dirs, to: 'zero' })
    expect(zero.rolledBack.map((step) => step.name)).toEqual(['0001_initial'])
    expect(await tableNames(url)).toEqual(['dsta_migrations'])
    expect(await historyNames(url)).toEqual([])

    const again = await migrate(url, { dirs })
    expect(again.applied).toHaveLength(4)
  })

  it('refuses a rollback through a migration without a down file, before running anything', async () => {
    const dir = await migrationFolder({
      '0002_keep.up.sql': 'CREATE TABLE keep (x int);',
      '0002_keep.down.sql': 'DROP TABLE keep;',
      '0003_oneway.up.sql': 'CREATE TABLE oneway (x int);',
    })
    const url = await freshDatabase(server.url)
    await migrate(url, { dirs: [dir] })
    await expect(migrate(url, { dirs: [dir], to: '0001_initial' })).rejects.toMatchObject({
      code: 'NO_DOWN',
      message: expect.stringMatching(/no down file for 0003_oneway.*Write 0003_oneway\.down\.sql/),
    })
    expect(await historyNames(url)).toEqual(['0001_initial', '0002_keep', '0003_oneway'])
    expect(await tableNames(url)).toContain('keep')
  })

  it('rejects an unknown target and names the known ones', async () => {
    const url = await freshDatabase(server.url)
    await expect(migrate(url, { to: '0009_nothing' })).rejects.toMatchObject({
      code: 'UNKNOWN_TARGET',
      message: expect.stringContaining('Known: 0001_initial'),
    })
    await expect(migrate(url, { to: '42' })).rejects.toMatchObject({ code: 'UNKNOWN_TARGET' })
    expect(await tableNames(url)).toEqual([])
  })
})

describe('migrate: fake, baseline, dry run', () => {
  it('fake records without running, and erases without running when going down', async () => {
    const url = await freshDatabase(server.url)
    const result = await migrate(url, { fake: true })
    expect(result.faked.map((step) => step.name)).toEqual(['0001_initial'])
    expect(result.applied).toEqual([])
    expect(await tableNames(url)).toEqual(['dsta_migrations'])
    expect(await query(url, 'SELECT kind FROM dsta_migrations')).toEqual([{ kind: 'fake' }])

    await query(url, await readFile(join(DEFAULT_MIGRATIONS_DIR, '0001_initial.up.sql'), 'utf8'))
    const down = await migrate(url, { fake: true, to: 'zero' })
    expect(down.faked.map((step) => step.name)).toEqual(['0001_initial'])
    expect(await historyNames(url)).toEqual([])
    expect(await tableNames(url)).toContain('candlesticks') // the down file did not run
  })

  it('baseline marks an existing schema as applied, then applies what follows', async () => {
    const url = await freshDatabase(server.url)
    await query(url, await readFile(join(DEFAULT_MIGRATIONS_DIR, '0001_initial.up.sql'), 'utf8'))
    const result = await migrate(url, { dirs: [await threeMore()], baseline: '0001_initial' })
    expect(result.baselined.map((step) => step.name)).toEqual(['0001_initial'])
    expect(result.applied.map((step) => step.name)).toEqual(['0002_notes', '0003_tags', '0004_audit'])
    const kinds = await query(url, 'SELECT name, kind FROM dsta_migrations ORDER BY version')
    expect(kinds.map((row) => row.kind)).toEqual(['baseline', 'applied', 'applied', 'applied'])
  })

  it('dry run returns the SQL and the plan, and changes nothing', async () => {
    const url = await freshDatabase(server.url)
    const dirs = [await threeMore()]
    const result = await migrate(url, { dirs, to: '0002', dryRun: true })
    expect(result.dryRun).toBe(true)
    expect(result.applied.map((step) => step.name)).toEqual(['0001_initial', '0002_notes'])
    expect(result.sql).toContain('CREATE TABLE candlesticks')
    expect(result.sql).toMatch(/-- 0002_notes: up \(.*0002_notes\.up\.sql\)\nBEGIN;\nCREATE TABLE notes/)
    expect(result.sql).not.toContain('tags')
    expect(await tableNames(url)).toEqual([]) // not even the history table

    await migrate(url, { dirs })
    const back = await migrate(url, { dirs, to: 'zero', dryRun: true })
    expect(back.rolledBack.map((step) => step.version)).toEqual([4, 3, 2, 1])
    expect(back.sql).toContain('DROP TABLE audit')
    expect(await historyNames(url)).toHaveLength(4)
  })

  it('refuses repair mixed with other actions', async () => {
    const url = await freshDatabase(server.url)
    await expect(migrate(url, { repair: true, to: 'zero' })).rejects.toMatchObject({ code: 'BAD_OPTION' })
    await expect(migrate(url, { lockTimeoutMs: -1 })).rejects.toMatchObject({ code: 'BAD_OPTION' })
  })

  it('the status of a migrated database lists every migration as applied', async () => {
    const url = await freshDatabase(server.url)
    const dirs = [await threeMore()]
    await migrate(url, { dirs, to: '0002_notes' })
    const status = await migrationStatus(url, { dirs })
    expect(status.entries.map((entry) => [entry.name, entry.state])).toEqual([
      ['0001_initial', 'applied'],
      ['0002_notes', 'applied'],
      ['0003_tags', 'pending'],
      ['0004_audit', 'pending'],
    ])
    expect(status.entries[0]?.history?.appliedAt).toBeInstanceOf(Date)
    expect(status.ok).toBe(true)
  })
})
