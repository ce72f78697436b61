import { appendFile, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_MIGRATIONS_DIR,
  discoverMigrations,
  formatStatus,
  migrate,
  migrationSql,
  migrationStatus,
  migrationsHash,
  newMigration,
  splitStatements,
} from '../src/migrate/index.js'
import type { StartedPostgres } from '../src/server/index.js'
import { startPostgres } from '../src/server/index.js'
import { freshDatabase, historyNames, migrationFolder } from './migrate-support.js'

let server: StartedPostgres
beforeAll(async () => {
  server = await startPostgres()
})
afterAll(async () => {
  await server?.stop()
})

function twoMore(): Promise<string> {
  return migrationFolder({
    '0002_notes.up.sql': 'CREATE TABLE notes (id int PRIMARY KEY);\n',
    '0002_notes.down.sql': 'DROP TABLE notes;\n',
    '0004_tags.up.sql': 'CREATE TABLE tags (id int PRIMARY KEY);\n',
    '0004_tags.down.sql': 'DROP TABLE tags;\n',
  })
}

describe('drift between files and history', () => {
  it('refuses to run when an applied file was edited, reports it as modified; repair accepts it', async () => {
    const url = await freshDatabase(server.url)
    const dir = await twoMore()
    await migrate(url, { dirs: [dir] })
    await appendFile(join(dir, '0002_notes.up.sql'), 'ALTER TABLE notes ADD COLUMN body text;\n')
    await writeFile(join(dir, '0005_more.up.sql'), 'CREATE TABLE more (x int);\n')

    const error = await migrate(url, { dirs: [dir] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'EDITED', file: join(dir, '0002_notes.up.sql') })
    expect((error as Error).message).toMatch(
      /0002_notes \(.*0002_notes\.up\.sql changed after it was applied\)/,
    )
    expect((error as Error).message).toMatch(/Revert the file/)
    expect(await historyNames(url)).toEqual(['0001_initial', '0002_notes', '0004_tags']) // 0005 did not run

    const status = await migrationStatus(url, { dirs: [dir] })
    expect(status.entries.map((entry) => entry.state)).toEqual(['applied', 'modified', 'applied', 'pending'])
    expect(status.ok).toBe(false)
    expect(formatStatus(status)).toMatch(/\[!\] 0002_notes\s+modified: .*changed after it was applied/)

    const repaired = await migrate(url, { dirs: [dir], repair: true })
    expect(repaired.repaired).toEqual([expect.stringMatching(/^0002_notes: recorded the current checksum/)])
    expect((await migrationStatus(url, { dirs: [dir] })).ok).toBe(true)
    expect((await migrate(url, { dirs: [dir] })).applied.map((step) => step.name)).toEqual(['0005_more'])
  })

  it('treats a renamed applied file as modified', async () => {
    const url = await freshDatabase(server.url)
    const dir = await twoMore()
    await migrate(url, { dirs: [dir] })
    await rename(join(dir, '0004_tags.up.sql'), join(dir, '0004_labels.up.sql'))
    await rename(join(dir, '0004_tags.down.sql'), join(dir, '0004_labels.down.sql'))
    const status = await migrationStatus(url, { dirs: [dir] })
    expect(status.entries[2]).toMatchObject({
      state: 'modified',
      detail: 'recorded as 0004_tags, the file is now 0004_labels',
    })
    await expect(migrate(url, { dirs: [dir] })).rejects.toMatchObject({ code: 'EDITED' })
  })

  it('reports an applied migration whose file is gone as missing and refuses; repair forgets it', async () => {
    const url = await freshDatabase(server.url)
    const dir = await twoMore()
    await migrate(url, { dirs: [dir] })
    await rm(join(dir, '0004_tags.up.sql'))
    await rm(join(dir, '0004_tags.down.sql'))
    const status = await migrationStatus(url, { dirs: [dir] })
    expect(status.entries.at(-1)).toMatchObject({ name: '0004_tags', state: 'missing' })
    expect(formatStatus(status)).toContain('[?] 0004_tags')
    await expect(migrate(url, { dirs: [dir] })).rejects.toMatchObject({
      code: 'MISSING',
      message: expect.stringContaining('applied migrations have no file: 0004_tags'),
    })
    await migrate(url, { dirs: [dir], repair: true })
    expect(await historyNames(url)).toEqual(['0001_initial', '0002_notes'])
  })

  it('reports a pending file older than an applied one as out-of-order, refuses unless allowed', async () => {
    const url = await freshDatabase(server.url)
    const dir = await twoMore()
    await migrate(url, { dirs: [dir] })
    await writeFile(join(dir, '0003_late.up.sql'), 'CREATE TABLE late (x int);\n')
    const status = await migrationStatus(url, { dirs: [dir] })
    expect(status.entries[2]).toMatchObject({ name: '0003_late', state: 'out-of-order' })
    expect(status.ok).toBe(true)
    expect(formatStatus(status)).toContain('[<] 0003_late')
    await expect(migrate(url, { dirs: [dir] })).rejects.toMatchObject({
      code: 'OUT_OF_ORDER',
      message: expect.stringContaining('0003_late is older than the applied 4'),
    })
    const result = await migrate(url, { dirs: [dir], allowOutOfOrder: true })
    expect(result.applied.map((step) => step.name)).toEqual(['0003_late'])
  })
})

describe('files', () => {
  it('discovers pairs with checksum and the no-transaction marker', async () => {
    const dir = await migrationFolder({
      '0007_index.up.sql': '-- dsta:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);\n',
      '0007_index.down.sql': 'DROP INDEX i;\n',
    })
    const files = await discoverMigrations([dir])
    expect(files.map((file) => file.name)).toEqual(['0001_initial', '0007_index'])
    expect(files[1]).toMatchObject({
      version: 7,
      noTransaction: true,
      downNoTransaction: false,
      downSql: 'DROP INDEX i;\n',
    })
    expect(files[1]?.checksum).toMatch(/^[0-9a-f]{64}$/)
    expect(files[0]?.noTransaction).toBe(false)
  })

  it('names both files of a duplicate version, across folders and within one', async () => {
    const a = await migrationFolder({ '0002_x.up.sql': '' })
    const b = await migrationFolder({ '0002_y.up.sql': '' })
    await expect(discoverMigrations([a, b])).rejects.toThrow(
      /two migrations have version 2: .*0002_x\.up\.sql and .*0002_y\.up\.sql/,
    )
    const c = await migrationFolder({ '0003_x.up.sql': '', '003_y.up.sql': '' })
    await expect(discoverMigrations([c])).rejects.toMatchObject({ code: 'DUPLICATE_VERSION' })
  })

  it('rejects misnamed files and a down file without its up file', async () => {
    const misnamed = await migrationFolder({ '0002_Add-Thing.sql': '' })
    await expect(discoverMigrations([misnamed])).rejects.toThrow(
      /0002_Add-Thing\.sql: a migration file is named/,
    )
    const orphan = await migrationFolder({ '0002_x.down.sql': '' })
    await expect(discoverMigrations([orphan])).rejects.toThrow(/0002_x\.down\.sql has no 0002_x\.up\.sql/)
  })

  it('newMigration creates the next numbered pair and validates the name', async () => {
    const dir = await migrationFolder({ '0005_old.up.sql': '' })
    const first = await newMigration('add_trade_side', { dir })
    expect(first.name).toBe('0006_add_trade_side') // after the folder's own 0005 (and the DSTA schema's 0001)
    expect((await readdir(dir)).sort()).toEqual([
      '0005_old.up.sql',
      '0006_add_trade_side.down.sql',
      '0006_add_trade_side.up.sql',
    ])
    expect(await readFile(first.upPath, 'utf8')).toMatch(/^-- 0006_add_trade_side: /)
    expect((await newMigration('second', { dir })).version).toBe(7)
    await expect(newMigration('Add Thing', { dir })).rejects.toThrow(/lower-case snake case/)
    const files = await discoverMigrations({ dirs: [dir], dstaSchema: false })
    expect(files.map((file) => file.name)).toEqual(['0005_old', '0006_add_trade_side', '0007_second'])
    const empty = await migrationFolder({})
    const dstaLatest = Math.max(...(await discoverMigrations()).map((file) => file.version))
    expect((await newMigration('first', { dir: empty })).version).toBe(dstaLatest + 1)
  })

  it('migrationSql shows what a migration runs, framed in its transaction', async () => {
    const text = await readFile(join(DEFAULT_MIGRATIONS_DIR, '0001_initial.up.sql'), 'utf8')
    const up = await migrationSql('0001_initial')
    expect(up).toBe(`-- 0001_initial: up (sql/0001_initial.up.sql)\nBEGIN;\n${text}COMMIT;\n`)
    expect(await migrationSql('1')).toBe(up)
    expect(await migrationSql('0001', { direction: 'down' })).toContain('DROP TABLE candlesticks;')
    await expect(migrationSql('0002_none')).rejects.toMatchObject({ code: 'UNKNOWN_TARGET' })
    const dir = await migrationFolder({
      '0002_ix.up.sql': '-- dsta:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);',
    })
    const noTx = await migrationSql('0002_ix', { dirs: [dir] })
    expect(noTx).toContain('runs outside a transaction')
    expect(noTx).not.toContain('BEGIN;')
    await expect(migrationSql('0002_ix', { dirs: [dir], direction: 'down' })).rejects.toMatchObject({
      code: 'NO_DOWN',
    })
  })

  it('migrationsHash is stable and changes with any file, down files included', async () => {
    const dir = await twoMore()
    const before = await migrationsHash([dir])
    expect(await migrationsHash({ dirs: [dir] })).toBe(before)
    expect(await migrationsHash()).not.toBe(before)
    await appendFile(join(dir, '0004_tags.down.sql'), '-- a comment\n')
    const afterDown = await migrationsHash([dir])
    expect(afterDown).not.toBe(before)
    await appendFile(join(dir, '0002_notes.up.sql'), '-- a comment\n')
    expect(await migrationsHash([dir])).not.toBe(afterDown)
  })
})

describe('splitStatements', () => {
  it('splits at top-level semicolons only, with the line each statement starts on', () => {
    const text = [
      '-- a comment; not a statement',
      "SELECT 'a;b', E'it\\'s;', \"odd;name\";",
      '/* outer /* nested; */ still comment; */',
      'CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$ SELECT $$;$$ $body$;',
      'SELECT $1, a$b FROM t',
      '  WHERE x = 1;',
      '-- trailing comment only',
    ].join('\n')
    expect(splitStatements(text)).toEqual([
      { line: 2, text: "SELECT 'a;b', E'it\\'s;', \"odd;name\"" },
      { line: 4, text: 'CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$ SELECT $$;$$ $body$' },
      { line: 5, text: 'SELECT $1, a$b FROM t\n  WHERE x = 1' },
    ])
  })
})
