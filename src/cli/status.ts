import type { Command } from 'commander'
import { formatStatus, migrationStatus } from '../migrate/index.js'
import { CliError, type CliIo, CONNECTION_HELP, type ConnectionOptions, databaseUrl, say } from './context.js'
import { DIR_HELP, type DirOptions, migrationDirs } from './migrate.js'

/** `dsta-db status`: Django's `showmigrations`; exits 1 when a file was edited or deleted after it ran. */
export function statusCommand(program: Command, io: CliIo): void {
  program
    .command('status')
    .description(
      'list migrations and whether each is applied, pending, edited or missing (Django: showmigrations)',
    )
    .option('--dir <dirs...>', DIR_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .action(async (options: ConnectionOptions & DirOptions) => {
      const status = await migrationStatus(databaseUrl(options, io), { dirs: migrationDirs(options, io) })
      say(io, formatStatus(status))
      if (!status.ok)
        throw new CliError(
          'the history does not match the files (see above): restore the files, or run `dsta-db migrate --repair`',
        )
    })
}
