import { resolve } from 'node:path'
import { type Command, Option } from 'commander'
import {
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  examples,
  say,
  wholeNumber,
} from './context.js'
import { checkOutput } from './files.js'
import { type OutputOptions, printJson, progress } from './output.js'

interface BackupCliOptions extends ConnectionOptions, OutputOptions {
  output: string
  format: 'auto' | 'dsta' | 'pg_dump'
  compress?: number
  pgBinDir?: string
}

/** `dsta-db backup -o backup.dump`: the guide's `pg_dump -F c`, on any server, pg_dump or not. */
export function backupCommand(program: Command, io: CliIo): void {
  program
    .command('backup')
    .description(
      'write the whole database (migration history and rows) to one file (the guide: pg_dump -F c)',
    )
    .option('-o, --output <file>', 'the archive to write (whole or not at all)', 'backup.dump')
    .addOption(
      new Option(
        '--format <format>',
        'auto: pg_dump -Fc when one fits the server, else dsta (binary COPY per table)',
      )
        .choices(['auto', 'dsta', 'pg_dump'])
        .default('auto'),
    )
    .option('--compress <level>', 'gzip level 0–9 (default 6, as pg_dump)', wholeNumber(0, 9))
    .option('--pg-bin-dir <dir>', 'where to look first for pg_dump, e.g. /usr/lib/postgresql/15/bin')
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print what was written as JSON')
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText(
      'after',
      examples(
        'dsta-db backup -o backup.dump',
        'dsta-db backup --format dsta -o before-dedupe.dump && dsta-db dedupe --yes',
      ),
    )
    .action(async (options: BackupCliOptions) => {
      const url = databaseUrl(options, io)
      const { backup } = await import('../backup/index.js')
      const file = resolve(io.cwd, options.output)
      await checkOutput(file, '--output')
      const bar = await progress(io, options, 'backup', 'bytes')
      const started = performance.now()
      const result = await backup(url, file, {
        format: options.format,
        ...(options.compress === undefined ? {} : { compression: options.compress }),
        ...(options.pgBinDir === undefined ? {} : { pgBinDir: resolve(io.cwd, options.pgBinDir) }),
        onProgress: ({ table, bytes, tablesDone, tables }) => bar.update(tablesDone, tables, bytes, table),
      }).finally(() => bar.stop())
      const ms = Math.round(performance.now() - started)
      if (options.json) return printJson(io, { ...result, ms })
      if (options.quiet) return
      if (result.format === 'pg_dump')
        say(io, `Wrote ${options.output} with ${result.tool} (${result.bytes} bytes, ${ms} ms)`)
      else {
        for (const table of result.tables) say(io, `  ${table.name.padEnd(16)} ${table.rows} rows`)
        say(
          io,
          `Wrote ${options.output}: ${result.migrations} migration(s), ${result.tables.length} table(s) (${ms} ms)`,
        )
      }
    })
}
