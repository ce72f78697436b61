import { createWriteStream, unlinkSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import {
  CliError,
  type CliIo,
  CONNECTION_HELP,
  type ConnectionOptions,
  databaseUrl,
  examples,
  wholeNumber,
} from './context.js'
import { checkOutput } from './files.js'

interface DumpOptions extends ConnectionOptions {
  indent?: number
  output?: string
}

/** `dsta-db dump [tables…]`: Django's `dumpdata`, sorted so that the same rows always give the same text. */
export function dumpCommand(program: Command, io: CliIo): void {
  program
    .command('dump')
    .description('write the rows of some or all tables as a JSON fixture (Django: dumpdata)')
    .argument(
      '[tables...]',
      'candlesticks, trades, order_books, market_metrics, or api.Candlestick …; default all',
    )
    .option('--indent <n>', 'indent the JSON by n spaces (default: one record per line)', wholeNumber(0, 10))
    .option('-o, --output <file>', 'write to this file instead of standard output (whole or not at all)')
    .option('--database-url <url>', CONNECTION_HELP)
    .addHelpText('after', examples('dsta-db dump api.Candlestick api.Trade --indent 2 -o my_data.json'))
    .action(async (tables: string[], options: DumpOptions) => {
      const { resolveTables, writeFixture } = await import('../fixtures/index.js')
      try {
        resolveTables(tables)
      } catch (error) {
        throw new CliError((error as Error).message, 2)
      }
      const url = databaseUrl(options, io)
      const { withPool } = await import('./pool.js')
      const layout = options.indent === undefined ? {} : { indent: options.indent }
      if (options.output === undefined) {
        // Standard output is written synchronously on Linux (pipes, files, terminals): no backlog builds up.
        const sink = batched((text) => io.stdout(text))
        await withPool(url, (pool) => writeFixture(pool, sink.write, tables, layout))
        return sink.flush()
      }
      const target = resolve(io.cwd, options.output)
      await checkOutput(target, '--output')
      const records = await writeAtomically(target, (write) =>
        withPool(url, (pool) => writeFixture(pool, write, tables, layout)),
      )
      io.stderr(`wrote ${records} record(s) to ${options.output}\n`)
    })
}

/** Pieces gathered into ~64 KB writes. */
function batched(out: (text: string) => void) {
  let pending: string[] = []
  let size = 0
  const flush = () => {
    if (pending.length) out(pending.join(''))
    pending = []
    size = 0
  }
  return {
    write: (text: string) => {
      pending.push(text)
      size += text.length
      if (size >= 65_536) flush()
    },
    flush,
  }
}

/**
 * Writes `target` through a temporary file beside it, renamed into place at the end: a failed or
 * interrupted dump leaves no half file, and an existing file stays as it was. Waits on the stream
 * when it is full (backpressure), so memory stays flat.
 */
async function writeAtomically<T>(
  target: string,
  work: (write: (text: string) => void | Promise<void>) => Promise<T>,
): Promise<T> {
  const temporary = `${target}.partial-${process.pid}`
  const stream = createWriteStream(temporary)
  // Ctrl-C ends the process at once (main.ts): the half-written file goes with it
  const onExit = () => {
    try {
      unlinkSync(temporary)
    } catch {}
  }
  process.once('exit', onExit)
  const failed = new Promise<never>((_, reject) => stream.once('error', reject))
  failed.catch(() => {})
  try {
    const result = await Promise.race([
      work((text) =>
        stream.write(text)
          ? undefined
          : Promise.race([new Promise<void>((done) => stream.once('drain', done)), failed]),
      ),
      failed,
    ])
    await new Promise<void>((done, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : done())),
    )
    await rename(temporary, target)
    process.off('exit', onExit)
    return result
  } catch (error) {
    stream.destroy()
    await rm(temporary, { force: true })
    process.off('exit', onExit)
    if ((error as NodeJS.ErrnoException).code && (error as NodeJS.ErrnoException).syscall)
      throw new CliError(`cannot write ${target}: ${(error as Error).message}`)
    throw error
  }
}
