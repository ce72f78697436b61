import { type Command, Option } from 'commander'
import { databasePath, redact } from '../server/address.js'
import type { StartedPostgres } from '../server/types.js'
import { CliError, type CliIo, examples, say, wholeNumber } from './context.js'
import { DIR_HELP, type DirOptions, migrationDirs, printResult, withProgress } from './migrate.js'
import type { OutputOptions } from './output.js'
import { lastLogLine, SERVER_GONE_EXIT, type ServerWatch, watchServer } from './up-watch.js'

interface UpOptions extends DirOptions, OutputOptions {
  demo?: boolean
  port?: number
  provider: 'auto' | 'embedded' | 'container' | 'external'
  binDir?: string
  image?: string
  database: string
  snapshot?: string
}

/** `dsta-db up`: a migrated DSTA database on a server of its own, until Ctrl-C; `--demo` shows it and stops. */
export function upCommand(program: Command, io: CliIo): void {
  program
    .command('up')
    .description('start PostgreSQL (embedded: no Docker), migrate, print DATABASE_URL and run until Ctrl-C')
    .option('--demo', 'also load the sample data, print the tables, then stop: a tour in one command')
    .option('--port <n>', 'TCP port on 127.0.0.1 (default: a free one)', wholeNumber(1, 65535))
    .addOption(
      new Option('--provider <name>', 'where the server comes from')
        .choices(['auto', 'embedded', 'container', 'external'])
        .default('embedded'),
    )
    .option('--bin-dir <dir>', 'a folder with initdb and postgres to use instead of the npm binaries')
    .option(
      '--image <name>',
      'image for --provider container (default: DSTA_DB_IMAGE, else postgres:<major>-alpine)',
    )
    .option('--database <name>', 'name of the database to create on the server', 'dsta')
    .option('--dir <dirs...>', DIR_HELP)
    .option(
      '--snapshot <name>',
      'start from a saved snapshot, e.g. "kept": the databases a failed test run kept',
    )
    .option('--json', 'print the address and the log file as one JSON line once ready')
    .addHelpText(
      'after',
      '\nExit codes: 0 stopped by Ctrl-C (or --demo done), 1 failed, 2 wrong invocation, ' +
        '4 the server died while up served (one line says why; nothing is left behind), ' +
        '130 Ctrl-C before it was ready.\n' +
        examples(
          'dsta-db up --demo',
          'dsta-db up --port 5433',
          'dsta-db up --bin-dir /usr/lib/postgresql/15/bin',
        ),
    )
    .action(async (options: UpOptions) => {
      const { startPostgres } = await import('../server/index.js')
      const server = await startPostgres({
        provider: options.provider,
        env: io.env,
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.binDir === undefined ? {} : { binDir: options.binDir }),
        ...(options.image === undefined ? {} : { image: options.image }),
        ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }),
      }).catch(async (error: unknown) => {
        throw (await interruptedSoon(io.signal)) ? interrupted() : error
      })
      const text = !options.json
      // From the start on: a server that dies while `up` migrates or serves ends `up` with one line.
      const watch = watchServer(server)
      try {
        const from = server.provider === 'embedded' && options.binDir ? `, binaries of ${server.binDir}` : ''
        if (text) say(io, `PostgreSQL ${server.version} (${server.provider}${from}) is up`)
        if (text && server.logFile && !options.demo)
          say(io, `Server log: ${server.logFile} (removed when the server stops)`)
        if (options.snapshot !== undefined) {
          const { serveSnapshot } = await import('./up-demo.js')
          const gone = await serveSnapshot(server, options.snapshot, io, watch.gone)
          if (gone !== undefined && !io.signal?.aborted) throw await goneError(server, gone)
          return
        }
        const url = server.provider === 'external' ? server.url : withDatabase(server.url, options.database)
        if (server.provider !== 'external') {
          const { ensureDatabase, markAsOurs } = await import('./admin.js')
          await ensureDatabase(url)
          await markAsOurs(url)
        }
        const { migrate } = await import('../migrate/index.js')
        const migrated = await withProgress(io, options, (onEvent) =>
          migrate(url, { dirs: migrationDirs(options, io), onEvent }),
        )
        if (text) printResult(migrated, io)
        if (options.demo) {
          const { demo } = await import('./up-demo.js')
          return await demo(url, io)
        }
        if (options.json)
          io.stdout(
            `${JSON.stringify({ databaseUrl: redact(url), provider: server.provider, version: server.version, ...(server.logFile ? { log: server.logFile } : {}), ...(server.passwordFile ? { passwordFile: server.passwordFile } : {}) })}\n`,
          )
        else {
          say(io, `DATABASE_URL=${redact(url)}`)
          // The password is never printed: it is in a file only this user can read.
          if (server.passwordFile)
            say(io, `The password (***) is in ${server.passwordFile}, readable by you alone.`)
          say(io, 'Ready. Press Ctrl-C to stop.')
        }
        const gone = await stopped(io.signal, watch.gone)
        if (gone !== undefined && !io.signal?.aborted) throw await goneError(server, gone)
        if (text) say(io, 'Stopping…')
      } catch (error) {
        throw await goneWhenItIs(error, server, watch, io.signal)
      } finally {
        await watch.close()
        await server.stop()
      }
    })
}

export function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${databasePath(name)}`
  return url.toString()
}

/**
 * Resolves when `signal` aborts, or on SIGINT / SIGTERM when there is no signal (with undefined), or
 * when `gone` resolves (with its reason). A timer keeps the process alive meanwhile: the server is
 * another process, and a pending promise alone is not enough.
 */
export async function stopped(
  signal: AbortSignal | undefined,
  gone: Promise<string> = new Promise(() => {}),
): Promise<string | undefined> {
  const keepAlive = setInterval(() => {}, 2 ** 30)
  try {
    return await new Promise<string | undefined>((resolve) => {
      gone.then(resolve)
      if (signal) {
        if (signal.aborted) resolve(undefined)
        signal.addEventListener('abort', () => resolve(undefined), { once: true })
        return
      }
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve(undefined)
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
  } finally {
    clearInterval(keepAlive)
  }
}

/**
 * A terminal's Ctrl-C reaches the server as well as us, and which of the two is noticed first is a
 * race: a failure gets a moment to turn out to be the interruption.
 */
async function interruptedSoon(signal: AbortSignal | undefined, ms = 250): Promise<boolean> {
  if (!signal || signal.aborted) return signal?.aborted ?? false
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ])
  clearTimeout(timer)
  return signal.aborted
}

function interrupted(): CliError {
  return new CliError('interrupted (Ctrl-C); the server is stopped and nothing is left', 130)
}

/** The one line `up` ends with when its server died: why, and what its log said last (see lastLogLine). */
async function goneError(server: StartedPostgres, reason: string): Promise<CliError> {
  const last = await lastLogLine(server.logFile)
  const log = server.logFile
    ? `; its log ${server.logFile} ${last ? `last said: "${last}"` : 'is empty'}`
    : ''
  return new CliError(
    `the PostgreSQL server is gone (${reason})${log}; dsta-db up stops and removes what it started`,
    SERVER_GONE_EXIT,
  )
}

/**
 * An error while `up` migrated or loaded may be the server dying under it: the exit (or the lost
 * connection) is reported a moment later than the failed query. Then the one line says so instead —
 * unless Ctrl-C came first: a terminal sends it to the server too, which then stops as asked.
 */
async function goneWhenItIs(
  error: unknown,
  server: StartedPostgres,
  watch: ServerWatch,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  if (error instanceof CliError && error.exitCode === SERVER_GONE_EXIT) return error
  if (await interruptedSoon(signal)) return interrupted()
  if (watch.reason === undefined) {
    const { isServerGone } = await import('../isolation/gone.js')
    if (!isServerGone(error)) return error
    let timer: NodeJS.Timeout | undefined
    await Promise.race([watch.gone, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))])
    clearTimeout(timer)
  }
  return watch.reason === undefined ? error : goneError(server, watch.reason)
}
