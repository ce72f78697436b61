import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { backupCommand } from './backup.js'
import { chartCommand } from './chart.js'
import { CliError, type CliIo, rootMessage } from './context.js'
import { dedupeCommand } from './dedupe.js'
import { dumpCommand } from './dump.js'
import { explainCommand } from './explain.js'
import { flushCommand } from './flush.js'
import { generateCommand } from './generate.js'
import { initCommand } from './init.js'
import { loadCommand } from './load.js'
import { migrateCommand } from './migrate.js'
import { newCommand } from './new.js'
import { resetCommand } from './reset.js'
import { restoreCommand } from './restore.js'
import { sqlCommand } from './sql.js'
import { statusCommand } from './status.js'
import { upCommand } from './up.js'
import { vacuumCommand } from './vacuum.js'
import { verifyCommand } from './verify.js'

// Every command file imports only commander, node built-ins and light helpers at the top; what a
// command needs (Slonik, pg, zod, the generators) it imports when it runs. `dsta-db --help` stays light.
const COMMANDS = [
  initCommand,
  migrateCommand,
  statusCommand,
  sqlCommand,
  newCommand,
  generateCommand,
  loadCommand,
  dumpCommand,
  flushCommand,
  resetCommand,
  verifyCommand,
  explainCommand,
  vacuumCommand,
  dedupeCommand,
  backupCommand,
  restoreCommand,
  upCommand,
  chartCommand,
]

/** The `dsta-db` program, its output going to `io`. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('dsta-db')
    .description('A real PostgreSQL database with the DSTA market-data schema, and the commands around it.')
    .version(VERSION)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError('(run `dsta-db help <command>` for its options)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ dsta-db up --demo\n  $ DATABASE_URL=postgresql://dsta:dsta@localhost:5432/dsta_dev dsta-db init --with-sample-data\n' +
        '\nExit codes: 0 done, 1 failed (nothing written), 2 wrong invocation, 3 refused by the production guard, 4 the server `up` served died, 130 interrupted.\n',
    )
  for (const add of COMMANDS) add(program, io)
  return program
}

/** The package's version, read from its package.json (two folders up from `src/cli` or `dist/cli`). */
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the exit code: 0 done,
 * 1 failed (the database or a file refused), 2 wrong invocation. A user's mistake prints one
 * clear message, never a stack; set `DSTA_DEBUG=1` to see stacks of unexpected errors.
 */
export async function run(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const fullIo: CliIo = {
    stdout: io.stdout ?? ((text) => process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => process.stderr.write(text)),
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    ...(io.signal ? { signal: io.signal } : {}),
    isTTY: io.isTTY ?? (io.stderr ? false : !!process.stderr.isTTY),
  }
  try {
    const program = buildProgram(fullIo)
    // commander answers `help <unknown>` with the general help and exit 0: say it is unknown
    if (argv[0] === 'help' && argv[1] !== undefined && !program.commands.some((c) => c.name() === argv[1]))
      throw new CliError(`unknown command '${argv[1]}' (see \`dsta-db --help\`)`, 2)
    await program.parseAsync([...argv], { from: 'user' })
    return 0
  } catch (error) {
    return report(error, fullIo)
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // commander has printed its message already; help and version are not failures
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      return 0
    return error.exitCode === 0 ? 0 : 2
  }
  if (error instanceof CliError) {
    io.stderr(`error: ${error.message}\n`)
    return error.exitCode
  }
  // By name, not instanceof: importing their modules here would load Slonik and pg for `--help`.
  const named = error as { name?: string; message?: string; code?: string }
  if (named?.name === 'FixtureError') {
    io.stderr(`error: ${named.message}\nnothing was written.\n`)
    return 1
  }
  if (named?.name === 'ArchiveError') {
    io.stderr(`error: ${named.message}\nnothing was written.\n`)
    return 1
  }
  if (named?.name === 'MigrationError') {
    io.stderr(`error: ${named.message}\n`)
    return named.code === 'UNKNOWN_TARGET' || named.code === 'BAD_OPTION' ? 2 : 1
  }
  io.stderr(`error: ${rootMessage(error)}\n`)
  if (io.env.DSTA_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`)
  return 1
}
