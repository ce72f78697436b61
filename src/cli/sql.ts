import type { Command } from 'commander'
import { type CliIo, examples } from './context.js'
import { DIR_HELP, type DirOptions, migrationDirs } from './migrate.js'

/** `dsta-db sql <migration>`: Django's `sqlmigrate`; reads files only, needs no database. */
export function sqlCommand(program: Command, io: CliIo): void {
  program
    .command('sql')
    .description('print the SQL a migration runs, framed as it runs (Django: sqlmigrate)')
    .argument('<migration>', 'a migration name (0001_initial) or version (0001)')
    .option('--down', 'the down (rollback) SQL instead')
    .option('--dir <dirs...>', DIR_HELP)
    .addHelpText('after', examples('dsta-db sql 0001', 'dsta-db sql 0001_initial --down'))
    .action(async (target: string, options: DirOptions & { down?: boolean }) => {
      const { migrationSql } = await import('../migrate/index.js')
      io.stdout(
        await migrationSql(target, {
          dirs: migrationDirs(options, io),
          direction: options.down ? 'down' : 'up',
        }),
      )
    })
}
