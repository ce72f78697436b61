/** Time grid of the generators: whole UTC minutes and days, no clock ever read. */

export const MINUTE_MS = 60_000
export const DAY_MS = 86_400_000
export const MINUTES_PER_DAY = 1440

/**
 * Default end of the generated window (exclusive), and the anchor of every price path: on this
 * instant each symbol trades at its profile's `startPrice`. Pinned so data never depends on today.
 */
export const DEFAULT_END = new Date('2026-01-01T00:00:00.000Z')

/** A half-open window [startMs, endMs) on whole minutes. */
export interface Window {
  startMs: number
  endMs: number
}

/** A date, or a date and time with its zone: a time without one would be read in the machine's zone. */
const UNAMBIGUOUS = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?))?$/i

/** The window of `days` days ending at `end` (floored to the minute). */
export function resolveWindow(days: number, end: Date | string | number = DEFAULT_END): Window {
  if (!(Number.isFinite(days) && days > 0)) throw new Error(`days must be a positive number, got ${days}`)
  if (typeof end === 'string' && !UNAMBIGUOUS.test(end.trim()))
    throw new Error(
      `end "${end}" must be a date (2026-01-01, read as UTC) or a time with its zone (2026-01-01T00:00Z): ` +
        "without a zone it would depend on the machine's time zone",
    )
  const endRaw = new Date(typeof end === 'string' ? end.trim() : end).getTime()
  if (!Number.isFinite(endRaw)) throw new Error(`end must be a date, got ${String(end)}`)
  const endMs = Math.floor(endRaw / MINUTE_MS) * MINUTE_MS
  const startMs = Math.floor((endMs - days * DAY_MS) / MINUTE_MS) * MINUTE_MS
  return { startMs, endMs }
}

/** Epoch day index of the first and last day touching the window. */
export function dayRange(window: Window): { first: number; last: number } {
  return { first: Math.floor(window.startMs / DAY_MS), last: Math.floor((window.endMs - 1) / DAY_MS) }
}

/** Weekday with Monday = 0 (the epoch day 0 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7
}
