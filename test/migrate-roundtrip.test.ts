import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { discoverMigrations, migrate } from '../src/migrate/index.js'
import type { StartedPostgres } from '../src/server/index.js'
import { startPostgres } from '../src/server/index.js'
import { dumpCatalog, freshDatabase, migrationFolder } from './migrate-support.js'

let server: StartedPostgres
beforeAll(async () => {
  server = await startPostgres()
})
afterAll(async () => {
  await server?.stop()
})

/** The catalog without the history table, which exists from the first change on. */
async function schema(url: string): Promise<string> {
  return (await dumpCatalog(url))
    .split('\n')
    .filter((line) => !line.includes('dsta_migrations'))
    .join('\n')
}

/**
 * For each migration in turn: dump, apply it, roll it back, check the schema is the one before,
 * apply it again, check the schema is the one after. Returns the dumps after each migration.
 */
async function upDownUp(url: string, dirs: string[]): Promise<string[]> {
  const files = await discoverMigrations(dirs)
  const dumps: string[] = []
  let before = await schema(url)
  let previous = 'zero'
  for (const file of files) {
    await migrate(url, { dirs, to: file.name })
    const after = await schema(url)
    expect(after, `${file.name} changed nothing`).not.toBe(before)
    await migrate(url, { dirs, to: previous })
    expect(await schema(url), `${file.name}.down.sql does not undo ${file.name}.up.sql`).toBe(before)
    await migrate(url, { dirs, to: file.name })
    expect(await schema(url), `${file.name} applied twice differs`).toBe(after)
    dumps.push(after)
    before = after
    previous = file.name
  }
  return dumps
}

describe('down files undo their up files exactly (catalog compared)', () => {
  it('the DSTA schema: up, down to zero, up again gives the same catalog', async () => {
    const url = await freshDatabase(server.url)
    const empty = await schema(url)
    await migrate(url)
    const up = await dumpCatalog(url)
    expect(up).toContain('column candlesticks.open_price numeric(28,10) not null')
    expect(up).toContain(
      'index CREATE INDEX trades_symbol_timestamp_idx ON public.trades USING btree (symbol, "timestamp")',
    )
    await migrate(url, { to: 'zero' })
    expect(await schema(url)).toBe(empty)
    await migrate(url)
    expect(await dumpCatalog(url)).toBe(up)
  })

  it('every migration of the DSTA schema and of a richer user folder, one at a time', async () => {
    const dir = await migrationFolder({
      '0002_side.up.sql':
        "CREATE TYPE trade_side AS ENUM ('buy', 'sell');\nALTER TABLE trades ADD COLUMN side trade_side;\n" +
        "CREATE VIEW buys AS SELECT * FROM trades WHERE side = 'buy';\n",
      '0002_side.down.sql': 'DROP VIEW buys;\nALTER TABLE trades DROP COLUMN side;\nDROP TYPE trade_side;\n',
      '0003_touch.up.sql': [
        'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$',
        'BEGIN NEW.metadata := NEW.metadata || jsonb_build_object($q$touched$q$, true); RETURN NEW; END $$;',
        'CREATE TRIGGER market_metrics_touch BEFORE INSERT ON market_metrics FOR EACH ROW EXECUTE FUNCTION touch();',
      ].join('\n'),
      '0003_touch.down.sql': 'DROP TRIGGER market_metrics_touch ON market_metrics;\nDROP FUNCTION touch();\n',
      '0004_ix.up.sql':
        '-- dsta:no-transaction\nCREATE INDEX CONCURRENTLY trades_side_idx ON trades (side) WHERE side IS NOT NULL;\n',
      '0004_ix.down.sql': '-- dsta:no-transaction\nDROP INDEX CONCURRENTLY trades_side_idx;\n',
    })
    const url = await freshDatabase(server.url)
    const dumps = await upDownUp(url, [dir])
    expect(dumps).toHaveLength(4)
    expect(dumps.at(-1)).toContain('trigger market_metrics CREATE TRIGGER market_metrics_touch')
    expect(dumps.at(-1)).toContain('type trade_side e')
  }, 30_000)

  it('catches a down file that forgets something', async () => {
    const dir = await migrationFolder({
      '0002_strict.up.sql':
        'ALTER TABLE trades ALTER COLUMN is_buyer_maker SET DEFAULT false;\nCREATE INDEX t_ix ON trades (price);\n',
      '0002_strict.down.sql': 'DROP INDEX t_ix;\n', // the default stays: wrong
    })
    const url = await freshDatabase(server.url)
    await expect(upDownUp(url, [dir])).rejects.toThrow(
      /0002_strict\.down\.sql does not undo 0002_strict\.up\.sql/,
    )
  })
})
