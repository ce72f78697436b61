import { resolve } from 'node:path'
import type { Command } from 'commander'
import { type MigrateResult, type MigrationEvent, migrate } from '../migrate/index.js'
import {
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  say,
  wholeNumber,
} from './context.js'

/** `--dir` folders, relative to the working folder; the DSTA schema's own folder is always included. */
export interface DirOptions {
  dir?: string[]
}
export const DIR_HELP = 'extra folder(s) of NNNN_name.up.sql / .down.sql files, applied after the DSTA schema'
export const migrationDirs = (options: DirOptions, io: CliIo) =>
  (options.dir ?? []).map((dir) => resolve(io.cwd, dir))

interface MigrateOptions extends ConnectionOptions, DirOptions {
  fake?: boolean
  baseline?: string
  dryRun?: boolean
  allowOutOfOrder?: boolean
  repair?: boolean
  lockTimeout?: number
}

/** `dsta-db migrate [target]`: Django's `migrate`, up or down to a target. */
export function migrateCommand(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('apply pending migrations, or migrate up or down to a target (Django: migrate)')
    .argument('[target]', 'a migration name (0001_initial), a version (0001) or zero; default: the latest')
    .option('--fake', 'record (or, going down, erase) history rows without running the files')
    .option(
      '--baseline <migration>',
      'mark migrations up to this one as applied without running them (an existing schema)',
    )
    .option('--dry-run', 'print the SQL that would run; change nothing')
    .option(
      '--allow-out-of-order',
      'apply pending files older than the latest applied one instead of refusing',
    )
    .option('--repair', 'accept edited or deleted files: record the current checksums; runs nothing')
    .option('--lock-timeout <ms>', 'how long to wait for another migrator (default 60000)', wholeNumber(0))
    .option('--dir <dirs...>', DIR_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .action(async (target: string | undefined, options: MigrateOptions) => {
      const result = await migrate(databaseUrl(options, io), {
        dirs: migrationDirs(options, io),
        ...(target === undefined ? {} : { to: target }),
        ...(options.fake ? { fake: true } : {}),
        ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
        ...(options.dryRun ? { dryRun: true } : {}),
        ...(options.allowOutOfOrder ? { allowOutOfOrder: true } : {}),
        ...(options.repair ? { repair: true } : {}),
        ...(options.lockTimeout === undefined ? {} : { lockTimeoutMs: options.lockTimeout }),
        onEvent: options.dryRun ? undefined : progress(io),
      })
      printResult(result, io)
    })
}

/** Django's lines: `  Applying 0001_initial... OK (12 ms)`. */
export function progress(io: CliIo): (event: MigrationEvent) => void {
  return (event) => {
    if (event.type === 'lock-wait') say(io, `waiting for another migrator (${event.holder})…`)
    if (event.type === 'start')
      io.stdout(`  ${event.direction === 'up' ? 'Applying' : 'Unapplying'} ${event.name}...`)
    if (event.type === 'done')
      say(
        io,
        ` ${event.kind === 'fake' ? 'FAKED' : event.kind === 'baseline' ? 'BASELINED' : 'OK'} (${Math.round(event.durationMs)} ms)`,
      )
  }
}

export function printResult(result: MigrateResult, io: CliIo): void {
  if (result.dryRun) {
    const steps = [...result.applied, ...result.rolledBack, ...result.faked, ...result.baselined]
    if (!steps.length) say(io, '-- dry run: nothing to do, the database is up to date')
    else {
      say(io, `-- dry run: ${steps.map((step) => step.name).join(', ')}; nothing was changed`)
      io.stdout(result.sql ?? '')
    }
    return
  }
  if (result.repaired.length) for (const line of result.repaired) say(io, `repaired: ${line}`)
  const changed =
    result.applied.length + result.rolledBack.length + result.faked.length + result.baselined.length
  if (!changed && !result.repaired.length) say(io, 'No migrations to apply.')
}
