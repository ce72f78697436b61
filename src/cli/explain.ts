import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
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

interface ExplainCliOptions extends ConnectionOptions, OutputOptions {
  analyze?: boolean
  preferIndexes?: boolean
  freshStatistics?: boolean
  file?: string
}

/** `dsta-db explain [query]`: the guide's "Analyze Queries" — a query's plan, and the indexes it reads. */
export function explainCommand(program: Command, io: CliIo): void {
  program
    .command('explain')
    .description("show a query's plan and the indexes it reads (default: the guide's candlesticks query)")
    .argument('[query]', 'SQL text; default the guide’s latest-100-candles query')
    .option('-f, --file <file>', 'read the query from a file')
    .option(
      '--analyze',
      'run it (EXPLAIN ANALYZE) for actual rows and times; rolled back, so writes leave nothing',
    )
    .option(
      '--prefer-indexes',
      'plan with enable_seqscan off: on a small table, shows whether an index can serve the query',
    )
    .option('--fresh-statistics', 'ANALYZE the tables first, in the same rolled-back transaction')
    .option('--json', 'print the plan as JSON: nodes, indexes, sequential scans, rows')
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText(
      'after',
      examples(
        'dsta-db explain --analyze',
        `dsta-db explain "SELECT * FROM trades WHERE symbol = 'BTCUSDT' ORDER BY timestamp DESC LIMIT 10" --prefer-indexes`,
      ),
    )
    .action(async (query: string | undefined, options: ExplainCliOptions) => {
      if (query !== undefined && options.file !== undefined)
        throw new CliError('give the query as an argument or with --file, not both', 2)
      const text = options.file === undefined ? query : await readQuery(resolve(io.cwd, options.file))
      const url = databaseUrl(options, io)
      const { withPool } = await import('./pool.js')
      const { explain } = await import('../explain/index.js')
      const { GUIDE_QUERY } = await import('./verify-checks.js')
      const sql = text ?? GUIDE_QUERY
      if (!sql.trim()) throw new CliError('the query is empty', 2)
      const plan = await withPool(url, (pool) =>
        explain(pool, sql, {
          ...(options.analyze ? { analyze: true } : {}),
          ...(options.preferIndexes ? { preferIndexes: true } : {}),
          ...(options.freshStatistics ? { freshStatistics: true } : {}),
        }).catch((error: unknown) => {
          const pg = error as { message?: string; cause?: { message?: string } }
          throw new CliError(`the server cannot plan this query: ${pg.cause?.message ?? pg.message}`)
        }),
      )
      if (options.json) {
        const { json, ...rest } = plan
        return printJson(io, { query: sql, ...rest, plan: json })
      }
      say(io, plan.text)
      say(io)
      say(io, `Indexes used: ${plan.indexes.join(', ') || 'none'}`)
      if (plan.seqScans.length) say(io, `Sequential scans: ${plan.seqScans.join(', ')}`)
      const actual = plan.actualRows === undefined ? '' : `, actual ${plan.actualRows}`
      say(io, `Rows: estimated ${plan.estimatedRows}${actual}`)
      if (plan.executionMs !== undefined)
        say(io, `Planning ${plan.planningMs?.toFixed(3)} ms, execution ${plan.executionMs.toFixed(3)} ms`)
      if (plan.seqscanDisabled) say(io, 'Planned with enable_seqscan off (--prefer-indexes).')
    })
}

async function readQuery(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read the query file ${path}: ${(error as Error).message}`)
  }
}
