import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ArchiveError, backup, restore } from '../src/backup/index.js'
import { dumpFixture, loadFixture, SAMPLE_DATA_FILE } from '../src/fixtures/index.js'
import { generateTestData } from '../src/generate/index.js'
import { migrate } from '../src/migrate/index.js'
import { createDstaPool } from '../src/schema/index.js'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dsta-backup-'))
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** A server with a source database (migrated, sample data + one day of market data) and helpers. */
function onServer(start: () => Promise<StartedPostgres>) {
  const state = {} as { server: StartedPostgres; source: string }
  const urlOf = (name: string) => state.server.url.replace(/\/postgres$/, `/${name}`)
  const admin = async (text: string) => {
    const client = new pg.Client(state.server.url)
    await client.connect()
    await client.query(text).finally(() => client.end())
  }
  const withPool = async <T>(
    url: string,
    work: (pool: Awaited<ReturnType<typeof createDstaPool>>) => Promise<T>,
  ) => {
    const pool = await createDstaPool(url)
    try {
      return await work(pool)
    } finally {
      await pool.end()
    }
  }
  /** Everything a round trip must bring back: the rows (as the dump's text), the history, the next ids. */
  const contents = (url: string) =>
    withPool(url, async (pool) => {
      const client = new pg.Client(url)
      await client.connect()
      const history = (
        await client.query(
          'SELECT version, name, checksum, kind, applied_at FROM dsta_migrations ORDER BY version',
        )
      ).rows
      const ids = (await client.query(`SELECT last_value, is_called FROM candlesticks_id_seq`)).rows
      await client.end()
      return { dump: await dumpFixture(pool), history, ids }
    })
  beforeAll(async () => {
    state.server = await start()
    state.source = urlOf('source_db')
    await admin('CREATE DATABASE source_db')
    await migrate(state.source)
    await withPool(state.source, async (pool) => {
      await loadFixture(pool, SAMPLE_DATA_FILE)
      await generateTestData(pool, { days: 1, symbols: ['BTCUSDT'] })
    })
  }, 180_000)
  afterAll(async () => {
    await state.server?.stop()
  })
  return { state, urlOf, admin, contents }
}

describe('the dsta archive (binary COPY per table + migration history), on the embedded server', () => {
  const { state, urlOf, admin, contents } = onServer(() => startPostgres({ provider: 'embedded' }))

  test('round trip into an empty database: schema from the recorded migrations, rows, history and sequences as they were', async () => {
    const file = join(dir, 'round.dump')
    const made = await backup(state.source, file, { format: 'dsta' })
    expect(made.format).toBe('dsta')
    if (made.format !== 'dsta') return
    expect(made.tables.map((t) => t.name)).toEqual([
      'candlesticks',
      'trades',
      'order_books',
      'market_metrics',
    ])
    expect(made.tables[1]?.rows).toBeGreaterThan(1000)
    await admin('CREATE DATABASE empty_target')
    const restored = await restore(urlOf('empty_target'), file)
    expect(restored).toMatchObject({ format: 'dsta', schema: 'migrated', migrations: 1 })
    expect(await contents(urlOf('empty_target'))).toEqual(await contents(state.source))
  })

  test('into a migrated database: checked, then the rows; non-empty tables refused unless --clean', async () => {
    const file = join(dir, 'migrated.dump')
    await backup(state.source, file, { format: 'dsta' })
    await admin('CREATE DATABASE migrated_target')
    await migrate(urlOf('migrated_target'))
    expect(await restore(urlOf('migrated_target'), file)).toMatchObject({ schema: 'checked' })
    const after = await contents(urlOf('migrated_target'))
    expect(after.dump).toBe((await contents(state.source)).dump)
    await expect(restore(urlOf('migrated_target'), file)).rejects.toThrow(
      /table candlesticks of the target holds rows.*--clean/,
    )
    expect(await restore(urlOf('migrated_target'), file, { clean: true })).toMatchObject({
      schema: 'checked',
    })
    expect((await contents(urlOf('migrated_target'))).dump).toBe(after.dump)
  })

  test('refused, leaving the target as it was: a cut archive, another migration history, a foreign file', async () => {
    const file = join(dir, 'cut-source.dump')
    await backup(state.source, file, { format: 'dsta' })
    const bytes = await readFile(file)
    await writeFile(join(dir, 'cut.dump'), bytes.subarray(0, Math.floor(bytes.length * 0.8)))
    await admin('CREATE DATABASE cut_target')
    await expect(restore(urlOf('cut_target'), join(dir, 'cut.dump'))).rejects.toThrow(/cut short/)
    const client = new pg.Client(urlOf('cut_target'))
    await client.connect()
    const tables = await client.query(
      `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace`,
    )
    await client.end()
    expect(tables.rows).toEqual([]) // not even the migrations: one transaction, rolled back

    await admin('CREATE DATABASE other_history')
    const extra = join(dir, 'extra')
    await mkdir(extra, { recursive: true })
    await writeFile(join(extra, '1000_notes.up.sql'), 'CREATE TABLE notes (body text);\n')
    await writeFile(join(extra, '1000_notes.down.sql'), 'DROP TABLE notes;\n')
    await migrate(urlOf('other_history'), { dirs: [extra] })
    await expect(restore(urlOf('other_history'), file)).rejects.toThrow(
      /do not match the archive's: target only: 1000_notes/,
    )

    await writeFile(join(dir, 'text.dump'), 'hello')
    await expect(restore(urlOf('cut_target'), join(dir, 'text.dump'))).rejects.toBeInstanceOf(ArchiveError)
  })

  test('an archive made with extra migrations needs their folder to restore into an empty database', async () => {
    const extra = join(dir, 'extra2')
    await mkdir(extra, { recursive: true })
    await writeFile(join(extra, '1000_notes.up.sql'), 'CREATE TABLE notes (body text);\n')
    await admin('CREATE DATABASE with_notes')
    await migrate(urlOf('with_notes'), { dirs: [extra] })
    const client = new pg.Client(urlOf('with_notes'))
    await client.connect()
    await client.query(`INSERT INTO notes VALUES ('kept')`)
    await client.end()
    const file = join(dir, 'notes.dump')
    const made = await backup(urlOf('with_notes'), file, { format: 'dsta' })
    expect(made.format === 'dsta' && made.tables.map((t) => t.name)).toContain('notes')
    await admin('CREATE DATABASE notes_target')
    await expect(restore(urlOf('notes_target'), file)).rejects.toThrow(
      /1000_notes, which is not among the migration files: pass its folder with --dir/,
    )
    await restore(urlOf('notes_target'), file, { dirs: [extra] })
    const check = new pg.Client(urlOf('notes_target'))
    await check.connect()
    expect((await check.query('SELECT body FROM notes')).rows).toEqual([{ body: 'kept' }])
    await check.end()
  })
})

const PG15 = '/usr/lib/postgresql/15/bin'

describe.skipIf(!existsSync(join(PG15, 'postgres')))(
  'pg_dump -Fc when one fits the server (PostgreSQL 15 through binDir)',
  () => {
    const { state, urlOf, admin, contents } = onServer(() =>
      startPostgres({ provider: 'embedded', binDir: PG15 }),
    )

    test('auto picks pg_dump 15; pg_restore brings everything into an empty database, and the rows into a migrated one', async () => {
      const file = join(dir, 'pg15.dump')
      const made = await backup(state.source, file)
      expect(made).toMatchObject({ format: 'pg_dump', tool: expect.stringMatching(/^pg_dump 15/) })
      expect((await readFile(file)).subarray(0, 5).toString()).toBe('PGDMP')
      await admin('CREATE DATABASE pg_empty')
      expect(await restore(urlOf('pg_empty'), file)).toMatchObject({ format: 'pg_dump', schema: 'migrated' })
      expect(await contents(urlOf('pg_empty'))).toEqual(await contents(state.source))
      await admin('CREATE DATABASE pg_migrated')
      await migrate(urlOf('pg_migrated'))
      expect(await restore(urlOf('pg_migrated'), file)).toMatchObject({ schema: 'checked' })
      expect((await contents(urlOf('pg_migrated'))).dump).toBe((await contents(state.source)).dump)
      await expect(restore(urlOf('pg_migrated'), file)).rejects.toThrow(/hold rows/)
    })

    test('the dsta archive works on 15 too', async () => {
      const file = join(dir, 'dsta15.dump')
      await backup(state.source, file, { format: 'dsta' })
      await admin('CREATE DATABASE dsta15')
      await restore(urlOf('dsta15'), file)
      expect(await contents(urlOf('dsta15'))).toEqual(await contents(state.source))
    })
  },
)
