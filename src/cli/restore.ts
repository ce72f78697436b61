import { resolve } from 'node:path'
import type { Command } from 'commander'
import {
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  examples,
  FORCE_HELP,
  type GuardOptions,
  say,
} from './context.js'
import { DIR_HELP, type DirOptions, migrationDirs } from './migrate.js'
import { type OutputOptions, printJson, progress } from './output.js'

interface RestoreCliOptions extends ConnectionOptions, DirOptions, GuardOptions, OutputOptions {
  clean?: boolean
  pgBinDir?: string
}

/** `dsta-db restore backup.dump`: the guide's `pg_restore`, all or nothing. */
export function restoreCommand(program: Command, io: CliIo): void {
  program
    .command('restore')
    .description(
      'restore a backup, all or nothing: into an empty database with its schema, or into one migrated alike',
    )
    .argument('<file>', 'an archive of `dsta-db backup` (dsta or pg_dump -Fc)')
    .option('--clean', 'empty the tables first, in the same transaction (dsta archives)')
    .option('--force', FORCE_HELP)
    .option('--pg-bin-dir <dir>', 'where to look first for pg_restore, for pg_dump archives')
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print what was restored as JSON')
    .option('--dir <dirs...>', `${DIR_HELP} (the archive's migrations, for an empty database)`)
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText(
      'after',
      examples(
        'DATABASE_URL=postgresql://dsta:dsta@localhost/dsta_test dsta-db restore backup.dump',
        'dsta-db restore backup.dump --clean',
      ),
    )
    .action(async (file: string, options: RestoreCliOptions) => {
      const url = databaseUrl(options, io)
      const { guard } = await import('./guard.js')
      await guard(url, io, 'restore into', options)
      const { restore } = await import('../backup/index.js')
      const bar = await progress(io, options, 'restore', 'bytes')
      const tables: string[] = []
      const started = performance.now()
      const result = await restore(url, resolve(io.cwd, file), {
        dirs: migrationDirs(options, io),
        ...(options.clean ? { clean: true } : {}),
        ...(options.pgBinDir === undefined ? {} : { pgBinDir: resolve(io.cwd, options.pgBinDir) }),
        onProgress: ({ table, bytes }) => {
          if (tables.at(-1) !== table) tables.push(table)
          // the four tables, or more when your migrations add some: a table-by-table bar
          bar.update(tables.length - 1, Math.max(4, tables.length), bytes, table)
        },
      }).finally(() => bar.stop())
      const ms = Math.round(performance.now() - started)
      if (options.json) return printJson(io, { ...result, ms })
      if (options.quiet) return
      const schema =
        result.schema === 'migrated' ? 'schema created from the recorded migrations' : 'schema checked'
      if (result.format === 'pg_dump')
        return say(io, `Restored ${file} with ${result.tool} (${schema}, ${ms} ms)`)
      for (const table of result.tables) say(io, `  ${table.name.padEnd(16)} ${table.rows} rows`)
      say(
        io,
        `Restored ${file}: ${schema} (${result.migrations} migration(s)), ${result.tables.length} table(s) (${ms} ms)`,
      )
    })
}
