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

/** Weekday with Monday = 0 (the epoch day 0 was a Thursday). */
export function weekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7
}
