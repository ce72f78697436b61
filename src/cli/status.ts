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
import { DIR_HELP, type DirOptions, migrationDirs } from './migrate.js'
import { type OutputOptions, printJson } from './output.js'

/** `dsta-db status`: Django's `showmigrations`; exits 1 when a file was edited or deleted after it ran. */
export function statusCommand(program: Command, io: CliIo): void {
  program
    .command('status')
    .description(
      'list migrations and whether each is applied, pending, edited or missing (Django: showmigrations)',
    )
    .option('--json', 'print the status as JSON')
    .option('--dir <dirs...>', DIR_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText('after', examples('dsta-db status', 'dsta-db status --json --dir migrations'))
    .action(async (options: ConnectionOptions & DirOptions & OutputOptions) => {
      const url = databaseUrl(options, io)
      const { formatStatus, migrationStatus } = await import('../migrate/index.js')
      const status = await migrationStatus(url, { dirs: migrationDirs(options, io) })
      if (options.json)
        printJson(io, {
          database: status.database,
          ok: status.ok,
          migrations: status.entries.map((entry) => ({
            version: entry.version,
            name: entry.name,
            state: entry.state,
            ...(entry.history ? { appliedAt: entry.history.appliedAt, kind: entry.history.kind } : {}),
            ...(entry.detail ? { detail: entry.detail } : {}),
          })),
          invalidIndexes: status.invalidIndexes,
        })
      else say(io, formatStatus(status))
      if (!status.ok)
        throw new CliError(
          'the history does not match the files (see above): restore the files, or run `dsta-db migrate --repair`',
        )
    })
}
