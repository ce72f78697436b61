import { styleText } from 'node:util'
import type { CliIo } from './context.js'

/** `--json` and `--quiet`, taken by every command that prints data or progress. */
export interface OutputOptions {
  json?: boolean
  quiet?: boolean
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org) or TERM=dumb. */
export function colours(io: CliIo): boolean {
  return !!io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb'
}

/** `text` in green / red / dim when colours are on, else as is. */
export function paint(io: CliIo, style: 'green' | 'red' | 'dim' | 'yellow', text: string): string {
  return colours(io) ? styleText(style, text, { validateStream: false }) : text
}

/** One JSON document on standard output: what `--json` prints, and nothing else goes to stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`)
}

/** Reports the progress of one long step: a bar on a terminal, a line every 10 % otherwise. */
export interface Progress {
  /** `done` of `total` units; `rows` so far (for the rate); `label` names the current part. */
  update(done: number, total: number, rows: number, label: string): void
  stop(): void
}

const NO_PROGRESS: Progress = { update() {}, stop() {} }

/**
 * A progress reporter on standard error: nothing with `--quiet`; a bar with percent, rows per second
 * and ETA on a terminal (cli-progress, loaded only then); plain lines every 10 % when standard error
 * is a file or a pipe, so logs stay readable.
 */
export async function progress(
  io: CliIo,
  options: OutputOptions,
  what: string,
  unit: 'rows' | 'bytes' = 'rows',
): Promise<Progress> {
  if (options.quiet) return NO_PROGRESS
  const started = performance.now()
  const rate = (amount: number) =>
    unit === 'rows'
      ? `${perSecond(amount, performance.now() - started)} rows/s`
      : `${((amount / 1e6 / Math.max(performance.now() - started, 1)) * 1000).toFixed(1)} MB/s`
  const amountText = (amount: number) =>
    unit === 'rows' ? `${amount.toLocaleString('en-US')} rows` : `${(amount / 1e6).toFixed(1)} MB`
  if (!io.isTTY) {
    let shown = -10
    return {
      update(done, total, rows, label) {
        const percent = total ? Math.floor((100 * done) / total) : 100
        if (percent < shown + 10) return
        shown = percent - (percent % 10)
        io.stderr(`  ${String(shown).padStart(3)}% (${label}) ${amountText(rows)}, ${rate(rows)}\n`)
      },
      stop() {},
    }
  }
  const { SingleBar } = await import('cli-progress')
  const bar = new SingleBar({
    format: `${what} {bar} {percentage}% | {label} | {rate} | ETA {eta_formatted}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    stream: process.stderr,
  })
  let begun = false
  return {
    update(done, total, rows, label) {
      if (!begun) bar.start(total, 0, { label, rate: rate(0) })
      begun = true
      bar.setTotal(total)
      bar.update(done, { label, rate: rate(rows) })
    },
    stop() {
      if (begun) bar.stop()
    },
  }
}

function perSecond(amount: number, ms: number): string {
  const rate = ms > 0 ? (amount * 1000) / ms : 0
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)} M`
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)} k`
  return `${Math.round(rate)}`
}
