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

/** The window of `days` days ending at `end` (floored to the minute). */
export function resolveWindow(days: number, end: Date | string | number = DEFAULT_END): Window {
  if (!(Number.isFinite(days) && days > 0)) throw new Error(`days must be a positive number, got ${days}`)
  const endRaw = new Date(end).getTime()
  if (!Number.isFinite(endRaw)) throw new Error(`end must be a date, got ${String(end)}`)
  const endMs = Math.floor(endRaw / MINUTE_MS) * MINUTE_MS
  const startMs = Math.floor((endMs - days * DAY_MS) / MINUTE_MS) * MINUTE_MS
  return { startMs, endMs }
}

/** Epoch day index of the first and last day touching the window. */
export function dayRange(window: Window): { first: number; last: number } {
  return { first: Math.floor(window.startMs / DAY_MS), last: Math.floor((window.endMs - 1) / DAY_MS) }
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n))
const HHMM = Array.from({ length: MINUTES_PER_DAY }, (_, i) => `${pad2(Math.floor(i / 60))}:${pad2(i % 60)}`)
const SS = Array.from({ length: 60 }, (_, i) => pad2(i))
const MMM = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'))

/** "YYYY-MM-DD " of an epoch day, the prefix of every COPY timestamp of that day. */
export function dayPrefix(day: number): string {
  return `${new Date(day * DAY_MS).toISOString().slice(0, 10)} `
}

/** COPY text of a minute's opening instant; `prefix` from `dayPrefix`. */
export function minuteText(prefix: string, minuteOfDay: number): string {
  return `${prefix}${HHMM[minuteOfDay]}:00+00`
}

/** COPY text of an instant `offsetMs` (0–59 999) into a minute. */
export function instantText(prefix: string, minuteOfDay: number, offsetMs: number): string {
  return `${prefix}${HHMM[minuteOfDay]}:${SS[Math.floor(offsetMs / 1000)]}.${MMM[offsetMs % 1000]}+00`
}

let cachedDay = Number.NaN
let cachedPrefix = ''

/** COPY text of an instant on a whole minute (coarse candles, order books). */
export function timestampText(ms: number): string {
  const day = Math.floor(ms / DAY_MS)
  if (day !== cachedDay) {
    cachedDay = day
    cachedPrefix = dayPrefix(day)
  }
  return minuteText(cachedPrefix, (ms - day * DAY_MS) / MINUTE_MS)
}

/** Weekday with Monday = 0 (the epoch day 0 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7
}
