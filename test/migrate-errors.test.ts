import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MigrationError, migrate, migrationStatus } from '../src/migrate/index.js'
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

async function failure(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MigrationError)
  return error as MigrationError
}

describe('a failing statement', () => {
  it('names file and line of a syntax error; nothing of the migration stays, history unchanged', async () => {
    const dir = await migrationFolder({
      '0002_good.up.sql': 'CREATE TABLE good (x int);\n',
      '0003_bad.up.sql':
        '-- two fine statements, then a broken one\nCREATE TABLE half (x int);\nINSERT INTO half VALUES (1);\n\nSELECT x\n  FROM half\n WHERE;\n',
      '0004_after.up.sql': 'CREATE TABLE after (x int);\n',
    })
    const url = await freshDatabase(server.url)
    const error = await failure(migrate(url, { dirs: [dir] }))
    expect(error.code).toBe('STATEMENT')
    expect(error.message).toMatch(/0003_bad\.up\.sql:7: syntax error at or near ";"/)
    expect(error.message).toContain('Nothing of 0003_bad was applied and the history is unchanged.')
    expect(error).toMatchObject({ file: join(dir, '0003_bad.up.sql'), line: 7 })
    expect(await historyNames(url)).toEqual(['0001_initial', '0002_good']) // each file its own transaction
    expect(await tableNames(url)).toContain('good')
    expect(await tableNames(url)).not.toContain('half')
    expect(await tableNames(url)).not.toContain('after')
  })

  it('finds the line of an error the server gives no position for (a CHECK violated)', async () => {
    const dir = await migrationFolder({
      '0002_data.up.sql': [
        'CREATE TABLE prices (p numeric CHECK (p > 0));',
        'INSERT INTO prices VALUES (1), (2);',
        '/* a comment; with a semicolon */',
        "INSERT INTO prices VALUES ('3');",
        'INSERT INTO prices',
        '  VALUES (-1);',
      ].join('\n'),
    })
    const url = await freshDatabase(server.url)
    await migrate(url)
    const error = await failure(migrate(url, { dirs: [dir] }))
    expect(error.message).toMatch(
      /0002_data\.up\.sql:5: new row for relation "prices" violates check constraint/,
    )
    expect(error.message).toContain('detail: Failing row contains (-1).')
    expect(error.line).toBe(5)
    expect(await tableNames(url)).not.toContain('prices')
    expect(await historyNames(url)).toEqual(['0001_initial'])
  })

  it('on an empty database, a failing first migration leaves no history table behind', async () => {
    const dir = await migrationFolder({
      '0001_oops.up.sql': 'CREATE TABLE ok (x int);\nCREATE TABLE ok (x int);\n',
    })
    const url = await freshDatabase(server.url)
    const error = await failure(migrate(url, { dirs: [dir], dstaSchema: false }))
    expect(error.message).toMatch(/0001_oops\.up\.sql:2: relation "ok" already exists/)
    expect(await tableNames(url)).toEqual([])
  })

  it('refuses END, the synonym of COMMIT, too', async () => {
    const dir = await migrationFolder({
      '0002_end.up.sql': 'CREATE TABLE e (x int);\n\nend;\nCREATE TABLE f (x int);\n',
    })
    const error = await failure(migrate(await freshDatabase(server.url), { dirs: [dir] }))
    expect(error).toMatchObject({ code: 'BAD_FILE', line: 3 })
  })

  it('names the server it cannot reach, without its password', async () => {
    const url = 'postgresql://dsta:secret@127.0.0.1:1/dsta_dev'
    for (const attempt of [() => migrate(url), () => migrationStatus(url)]) {
      const error = await failure(attempt())
      expect(error.code).toBe('CONNECTION')
      expect(error.message).toContain('cannot connect to postgresql://dsta:***@127.0.0.1:1/dsta_dev')
      expect(error.message).not.toContain('secret')
    }
  })

  it('refuses transaction control inside a transactional file, naming the line', async () => {
    const dir = await migrationFolder({ '0002_commit.up.sql': 'CREATE TABLE c (x int);\nCOMMIT;\n' })
    const url = await freshDatabase(server.url)
    const error = await failure(migrate(url, { dirs: [dir] }))
    expect(error).toMatchObject({ code: 'BAD_FILE', line: 2 })
    expect(error.message).toMatch(/0002_commit\.up\.sql:2: remove "COMMIT"/)
    expect(await tableNames(url)).toEqual([
      'candlesticks',
      'dsta_migrations',
      'market_metrics',
      'order_books',
      'trades',
    ])
  })
})

describe('the file text reaches the server verbatim', () => {
  it('keeps $1, :name and ? in PL/pgSQL bodies and strings', async () => {
    const dir = await migrationFolder({
      '0002_fn.up.sql': [
        'CREATE FUNCTION add_one(n int) RETURNS int LANGUAGE plpgsql AS $$',
        'BEGIN',
        '  RETURN $1 + 1; -- $1 is the argument, not a client parameter',
        'END $$;',
        "CREATE TABLE marks (label text NOT NULL DEFAULT ':name ? $2');",
        'INSERT INTO marks DEFAULT VALUES;',
      ].join('\n'),
    })
    const url = await freshDatabase(server.url)
    await migrate(url, { dirs: [dir] })
    expect(await query(url, 'SELECT add_one(41) AS v')).toEqual([{ v: 42 }])
    expect(await query(url, 'SELECT label FROM marks')).toEqual([{ label: ':name ? $2' }])
  })
})

describe('-- dsta:no-transaction files', () => {
  it('build an index concurrently outside any transaction, statement by statement', async () => {
    const dir = await migrationFolder({
      '0002_ix.up.sql':
        '-- dsta:no-transaction\nCREATE INDEX CONCURRENTLY trades_price_idx ON trades (price);\nCREATE INDEX CONCURRENTLY trades_qty_idx\n  ON trades (quantity);\n',
      '0002_ix.down.sql':
        '-- dsta:no-transaction\nDROP INDEX CONCURRENTLY trades_qty_idx;\nDROP INDEX CONCURRENTLY trades_price_idx;\n',
    })
    const url = await freshDatabase(server.url)
    const result = await migrate(url, { dirs: [dir] })
    expect(result.applied.map((step) => step.name)).toEqual(['0001_initial', '0002_ix'])
    const valid = await query(
      url,
      "SELECT indisvalid FROM pg_index WHERE indexrelid = 'trades_qty_idx'::regclass",
    )
    expect(valid).toEqual([{ indisvalid: true }])
    await migrate(url, { dirs: [dir], to: '0001' })
    expect(await query(url, "SELECT to_regclass('trades_price_idx') AS ix")).toEqual([{ ix: null }])
    expect(await historyNames(url)).toEqual(['0001_initial'])
  })

  it('a failed concurrent build: file and line, not recorded, the invalid index shown in the error and status', async () => {
    const dir = await migrationFolder({
      '0002_seed.up.sql':
        "INSERT INTO market_metrics (metric_type, timestamp, value) VALUES ('other', '2024-01-01', 1), ('other', '2024-01-02', 1);\n",
      '0003_uq.up.sql':
        '-- dsta:no-transaction\nCREATE INDEX CONCURRENTLY mm_ts_idx ON market_metrics (timestamp);\n\nCREATE UNIQUE INDEX CONCURRENTLY mm_value_uq\n  ON market_metrics (value);\n',
    })
    const url = await freshDatabase(server.url)
    const error = await failure(migrate(url, { dirs: [dir] }))
    expect(error.message).toMatch(/0003_uq\.up\.sql:4: could not create unique index "mm_value_uq"/)
    expect(error.message).toContain('Its first 1 statement (of 2) stayed applied')
    expect(error.message).toContain('DROP INDEX CONCURRENTLY mm_value_uq; then run again')
    expect(await historyNames(url)).toEqual(['0001_initial', '0002_seed'])
    const status = await migrationStatus(url, { dirs: [dir] })
    expect(status.invalidIndexes).toEqual([{ index: 'mm_value_uq', table: 'market_metrics' }])
    expect(status.ok).toBe(false)

    await query(url, 'DROP INDEX mm_value_uq')
    await writeFile(
      join(dir, '0003_uq.up.sql'),
      '-- dsta:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS mm_ts_idx ON market_metrics (timestamp);\n',
    )
    expect((await migrate(url, { dirs: [dir] })).applied.map((step) => step.name)).toEqual(['0003_uq'])
    expect((await migrationStatus(url, { dirs: [dir] })).ok).toBe(true)
  })
})
