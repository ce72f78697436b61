import type { Command } from 'commander'
import { redact } from '../server/address.js'
import {
  CliError,
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  examples,
  FORCE_HELP,
  type GuardOptions,
} from './context.js'
import { DIR_HELP, type DirOptions, migrationDirs, printResult, withProgress } from './migrate.js'

/** `dsta-db reset --yes`: the guide's `dropdb` + `createdb` + `migrate`. */
export function resetCommand(program: Command, io: CliIo): void {
  program
    .command('reset')
    .description('drop the database, create it empty and migrate it (the guide: dropdb, createdb, migrate)')
    .option('--yes', 'confirm: the database and everything in it is dropped')
    .option('--force', FORCE_HELP)
    .option('--dir <dirs...>', DIR_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText('after', examples('dsta-db reset --yes'))
    .action(async (options: ConnectionOptions & DirOptions & GuardOptions & { yes?: boolean }) => {
      const url = databaseUrl(options, io)
      if (!options.yes)
        throw new CliError(
          `reset drops the database ${redact(url)} and everything in it: add --yes to go ahead`,
          2,
        )
      const { recreateDatabase } = await import('./admin.js')
      const { guard } = await import('./guard.js')
      await guard(url, io, 'drop', options)
      await recreateDatabase(url)
      io.stdout(`Dropped and created ${redact(url)}\n`)
      const { migrate } = await import('../migrate/index.js')
      printResult(
        await withProgress(io, {}, (onEvent) => migrate(url, { dirs: migrationDirs(options, io), onEvent })),
        io,
      )
    })
}
