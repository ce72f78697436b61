import type { Command } from 'commander'
import {
  CliError,
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  examples,
  say,
} from './context.js'
import { type OutputOptions, printJson } from './output.js'

const TABLES = ['candlesticks', 'trades', 'order_books', 'market_metrics']

/** `dsta-db vacuum [tables…]`: the guide's `VACUUM ANALYZE`, table by table, with what it freed. */
export function vacuumCommand(program: Command, io: CliIo): void {
  program
    .command('vacuum')
    .description("reclaim dead rows and refresh the planner's statistics (the guide: VACUUM ANALYZE)")
    .argument('[tables...]', 'candlesticks, trades, order_books, market_metrics; default all four')
    .option('--json', 'print per table the dead rows before and after, and the time, as JSON')
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText('after', examples('dsta-db vacuum', 'dsta-db vacuum candlesticks'))
    .action(async (tables: string[], options: ConnectionOptions & OutputOptions) => {
      for (const table of tables)
        if (!TABLES.includes(table))
          throw new CliError(`unknown table "${table}": use ${TABLES.join(', ')}`, 2)
      const url = databaseUrl(options, io)
      const { withPool } = await import('./pool.js')
      const { sql } = await import('slonik')
      const results = await withPool(url, async (pool) => {
        const done: { table: string; deadBefore: number; deadAfter: number; ms: number }[] = []
        for (const table of tables.length ? tables : TABLES) {
          // n_dead_tup comes from the statistics collector: an estimate, updated as the server reports
          const dead = () =>
            pool.oneFirst(sql.unsafe`
              SELECT coalesce((SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = to_regclass(${table})), 0)::int`)
          if (!(await pool.oneFirst(sql.unsafe`SELECT to_regclass(${table}) IS NOT NULL`)))
            throw new CliError(`table ${table} does not exist: run \`dsta-db migrate\``)
          const deadBefore = Number(await dead())
          const started = performance.now()
          await pool.query(sql.unsafe`VACUUM (ANALYZE) ${sql.identifier([table])}`)
          const ms = Math.round(performance.now() - started)
          await pool.query(sql.unsafe`SELECT pg_stat_force_next_flush()`).catch(() => {})
          done.push({ table, deadBefore, deadAfter: Number(await dead()), ms })
          if (!options.json)
            say(io, `Vacuumed and analyzed ${table} (${ms} ms, ${deadBefore} dead row(s) before)`)
        }
        return done
      })
      if (options.json) printJson(io, results)
    })
}
