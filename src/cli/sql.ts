import type { Command } from 'commander'
import { migrationSql } from '../migrate/index.js'
import type { CliIo } from './context.js'
import { DIR_HELP, type DirOptions, migrationDirs } from './migrate.js'

/** `dsta-db sql <migration>`: Django's `sqlmigrate`; reads files only, needs no database. */
export function sqlCommand(program: Command, io: CliIo): void {
  program
    .command('sql')
    .description('print the SQL a migration runs, framed as it runs (Django: sqlmigrate)')
    .argument('<migration>', 'a migration name (0001_initial) or version (0001)')
    .option('--down', 'the down (rollback) SQL instead')
    .option('--dir <dirs...>', DIR_HELP)
    .action(async (target: string, options: DirOptions & { down?: boolean }) => {
      io.stdout(
        await migrationSql(target, {
          dirs: migrationDirs(options, io),
          direction: options.down ? 'down' : 'up',
        }),
      )
    })
}
