import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { MigrateOptions as LibraryOptions, MigrateResult, MigrationEvent } from '../migrate/index.js'
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
  say,
  wholeNumber,
} from './context.js'
import { type OutputOptions, printJson } from './output.js'

/** `--dir` folders, relative to the working folder; the DSTA schema's own folder is always included. */
export interface DirOptions {
  dir?: string[]
}
export const DIR_HELP = 'extra folder(s) of NNNN_name.up.sql / .down.sql files, applied after the DSTA schema'
export const migrationDirs = (options: DirOptions, io: CliIo) =>
  (options.dir ?? []).map((dir) => resolve(io.cwd, dir))

interface MigrateOptions extends ConnectionOptions, DirOptions, GuardOptions, OutputOptions {
  fake?: boolean
  baseline?: string
  dryRun?: boolean
  allowOutOfOrder?: boolean
  repair?: boolean
  lockTimeout?: number
  yes?: boolean
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
    .option('--yes', 'confirm a rollback (zero, or a target below the applied ones): its tables and rows go')
    .option('--force', FORCE_HELP)
    .option('--json', 'print the result as JSON')
    .option('--dir <dirs...>', DIR_HELP)
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText(
      'after',
      examples('dsta-db migrate', 'dsta-db migrate zero --yes', 'dsta-db migrate 0001 --dry-run'),
    )
    .action(async (target: string | undefined, options: MigrateOptions) => {
      const url = databaseUrl(options, io)
      const { migrate } = await import('../migrate/index.js')
      const library: LibraryOptions = {
        dirs: migrationDirs(options, io),
        ...(target === undefined ? {} : { to: target }),
        ...(options.fake ? { fake: true } : {}),
        ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
        ...(options.allowOutOfOrder ? { allowOutOfOrder: true } : {}),
        ...(options.repair ? { repair: true } : {}),
        ...(options.lockTimeout === undefined ? {} : { lockTimeoutMs: options.lockTimeout }),
      }
      if (!options.dryRun && !options.repair) {
        const planned = await migrate(url, { ...library, dryRun: true })
        const downs = [
          ...planned.rolledBack,
          ...planned.faked.filter((step) => step.file.endsWith('.down.sql')),
        ]
        if (downs.length)
          await confirmRollback(
            url,
            downs.map((step) => step.name),
            options,
            io,
          )
      }
      const result = await withProgress(io, options, (onEvent) =>
        migrate(url, { ...library, ...(options.dryRun ? { dryRun: true } : { onEvent }) }),
      )
      if (options.json) printJson(io, result)
      else printResult(result, io)
    })
}

/** Going down drops tables: `--yes`, then the production guard. */
async function confirmRollback(
  url: string,
  names: string[],
  options: MigrateOptions,
  io: CliIo,
): Promise<void> {
  if (!options.yes)
    throw new CliError(
      `this rolls back ${names.join(', ')} in ${redact(url)}${options.fake ? ' (history only: --fake)' : ': their tables and rows are dropped'}. Add --yes to go ahead`,
      2,
    )
  const { guard } = await import('./guard.js')
  await guard(url, io, 'roll back migrations of', options)
}

/**
 * Runs `work` with Django's progress lines (`  Applying 0001_initial... OK (12 ms)`) unless `--json`;
 * when a migration fails, its line is closed with FAILED before the error is printed.
 */
export async function withProgress<T>(
  io: CliIo,
  options: OutputOptions,
  work: (onEvent: (event: MigrationEvent) => void) => Promise<T>,
): Promise<T> {
  let open = false
  const onEvent = (event: MigrationEvent) => {
    if (options.json || options.quiet) return
    if (event.type === 'lock-wait') say(io, `waiting for another migrator (${event.holder})…`)
    if (event.type === 'start') {
      io.stdout(`  ${event.direction === 'up' ? 'Applying' : 'Unapplying'} ${event.name}...`)
      open = true
    }
    if (event.type === 'done') {
      say(
        io,
        ` ${event.kind === 'fake' ? 'FAKED' : event.kind === 'baseline' ? 'BASELINED' : 'OK'} (${Math.round(event.durationMs)} ms)`,
      )
      open = false
    }
  }
  try {
    return await work(onEvent)
  } catch (error) {
    if (open) say(io, ' FAILED')
    throw error
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
