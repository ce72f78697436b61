// What the fault matrix counts, and how it prints it: per kind, per command, and where its time goes.

export const TARGETS = ['vitest', 'up', 'generate', 'migrate', 'load'] as const
export const KINDS = ['SIGKILL group', 'SIGKILL main', 'Ctrl-C'] as const
export type Target = (typeof TARGETS)[number]
export type Kind = (typeof KINDS)[number]

/**
 * The kind of round `round`'s fault of `target`: rotated, so that every 3 rounds each command gets
 * each kind once (drawn at random, 20 rounds at seed 2026 gave `generate` 3 SIGKILLs of the main
 * process and 12 Ctrl-C).
 */
export function kindOf(round: number, target: Target): Kind {
  return KINDS[(round - 1 + TARGETS.indexOf(target)) % KINDS.length] as Kind
}

export interface Figures {
  rounds: number
  faultsInjected: number
  /** Faults that landed, per command and kind. */
  byTarget: Record<Target, Record<Kind, number>>
  /** Commands that ended before their fault's moment came: not faults; the slot is tried again. */
  finishedBeforeFault: string[]
  orphansLeft: string[]
  rowsLost: number
  partialWrites: string[]
  nextRunFailures: string[]
  bystandersTouched: string[]
  secretsPrinted: number
  /** Per command: faults land at a seeded moment in [0, this] ms after its start. */
  killWindows: Record<string, number>
  /** Per command, seconds spent: the killed run to its exit, the next run, the checks after it. */
  seconds: Record<Target, { killed: number; next: number; checks: number }>
  /** The whole matrix, set-up and calibration included. */
  wallSeconds: number
}

export function emptyFigures(rounds: number, killWindows: Record<string, number>): Figures {
  const perTarget = <T>(make: () => T) =>
    Object.fromEntries(TARGETS.map((target) => [target, make()])) as Record<Target, T>
  return {
    rounds,
    faultsInjected: 0,
    byTarget: perTarget(() => Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<Kind, number>),
    finishedBeforeFault: [],
    orphansLeft: [],
    rowsLost: 0,
    partialWrites: [],
    nextRunFailures: [],
    bystandersTouched: [],
    secretsPrinted: 0,
    killWindows,
    seconds: perTarget(() => ({ killed: 0, next: 0, checks: 0 })),
    wallSeconds: 0,
  }
}

/** Faults per kind, all commands together. */
export function byKind(figures: Figures): Record<Kind, number> {
  return Object.fromEntries(
    KINDS.map((kind) => [kind, TARGETS.reduce((sum, target) => sum + figures.byTarget[target][kind], 0)]),
  ) as Record<Kind, number>
}

const round1 = (seconds: number) => Math.round(seconds * 10) / 10

/** The figures, as the matrix prints them. */
export function describeFigures(figures: Figures): string {
  const list = (items: string[]) => (items.length ? ` (${items.join('; ')})` : '')
  const kinds = Object.entries(byKind(figures))
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ')
  const table = TARGETS.map((target) => {
    const counts = KINDS.map((kind) => String(figures.byTarget[target][kind]).padStart(kind.length)).join(
      '  ',
    )
    const early = figures.finishedBeforeFault.filter((label) => label.includes(` ${target} (`)).length
    const { killed, next, checks } = figures.seconds[target]
    const total = killed + next + checks
    return `    ${target.padEnd(8)}  ${counts}  ${String(early).padStart(5)}  ${round1(total)} s (killed runs ${round1(killed)}, next runs ${round1(next)}, checks ${round1(checks)})`
  })
  return [
    `fault matrix: ${figures.rounds} round(s) × ${TARGETS.length} commands (${TARGETS.join(', ')}), ${round1(figures.wallSeconds)} s`,
    `  faults injected: ${figures.faultsInjected} (${kinds}); finished before their fault (tried again, not counted): ${figures.finishedBeforeFault.length}${list(figures.finishedBeforeFault)}`,
    `    command   ${KINDS.join('  ')}  early  time`,
    ...table,
    `  kill moments within (ms after start): ${Object.entries(figures.killWindows)
      .map(([target, ms]) => `${target} ${ms}`)
      .join(', ')}`,
    `  orphans left: ${figures.orphansLeft.length}${list(figures.orphansLeft)}`,
    `  rows lost: ${figures.rowsLost}; partial writes: ${figures.partialWrites.length}${list(figures.partialWrites)}`,
    `  next runs failed: ${figures.nextRunFailures.length}${list(figures.nextRunFailures)}; bystanders touched: ${figures.bystandersTouched.length}${list(figures.bystandersTouched)}; secrets printed: ${figures.secretsPrinted}`,
  ].join('\n')
}
