import type { Command } from 'commander'
import { migrate } from '../migrate/index.js'
import { redact } from '../server/index.js'
import { recreateDatabase } from './admin.js'
import { CliError, type CliIo, CONNECTION_HELP, type ConnectionOptions, databaseUrl, say } from './context.js'
import { DIR_HELP, type DirOptions, migrationDirs, printResult, progress } from './migrate.js'

/** `dsta-db reset --yes`: the guide's `dropdb` + `createdb` + `migrate`. */
export function resetCommand(program: Command, io: CliIo): void {
  program
    .command('reset')
    .description('drop the database, create it empty and migrate it (the guide: dropdb, createdb, migrate)')
    .option('--yes', 'confirm: the database and everything in it is dropped')
    .option('--dir <dirs...>', DIR_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .action(async (options: ConnectionOptions & DirOptions & { yes?: boolean }) => {
      const url = databaseUrl(options, io)
      if (!options.yes)
        throw new CliError(
          `reset drops the database ${redact(url)} and everything in it: add --yes to go ahead`,
          2,
        )
      await recreateDatabase(url)
      say(io, `Dropped and created ${redact(url)}`)
      printResult(await migrate(url, { dirs: migrationDirs(options, io), onEvent: progress(io) }), io)
    })
}
