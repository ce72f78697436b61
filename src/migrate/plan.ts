import { MigrationError } from './errors.js'
import { displayPath, findTarget } from './files.js'
import type { HistoryRow, MigrateOptions, MigrationFile, StatusEntry } from './types.js'

/** Files and history rows side by side, by version: the status of each migration. */
export function classify(files: MigrationFile[], history: HistoryRow[]): StatusEntry[] {
  const recorded = new Map(history.map((row) => [row.version, row]))
  const latestApplied = Math.max(0, ...history.map((row) => row.version))
  const entries: StatusEntry[] = []
  for (const file of files) {
    const row = recorded.get(file.version)
    if (!row) {
      const late = file.version < latestApplied
      entries.push({
        version: file.version,
        name: file.name,
        state: late ? 'out-of-order' : 'pending',
        file,
        ...(late ? { detail: `older than the applied ${latestApplied}` } : {}),
      })
    } else if (row.name !== file.name) {
      const detail = `recorded as ${row.name}, the file is now ${file.name}`
      entries.push({ version: file.version, name: file.name, state: 'modified', file, history: row, detail })
    } else if (row.checksum !== file.checksum) {
      const detail = `${displayPath(file.upPath)} changed after it was applied`
      entries.push({ version: file.version, name: file.name, state: 'modified', file, history: row, detail })
    } else entries.push({ version: file.version, name: file.name, state: 'applied', file, history: row })
  }
  const versions = new Set(files.map((file) => file.version))
  for (const row of history)
    if (!versions.has(row.version))
      entries.push({
        version: row.version,
        name: row.name,
        state: 'missing',
        history: row,
        detail: 'no file',
      })
  return entries.sort((a, b) => a.version - b.version)
}

export type Step =
  | { action: 'up'; file: MigrationFile; kind: 'applied' | 'fake' | 'baseline' }
  | { action: 'down'; file: MigrationFile; fake: boolean }

/** What `migrate` will do, in order: rollbacks latest first, then applies oldest first. Throws before any change. */
export function plan(files: MigrationFile[], entries: StatusEntry[], options: MigrateOptions): Step[] {
  refuseDrift(entries)
  const target = resolveTarget(files, options.to)
  const baseline = options.baseline === undefined ? undefined : resolveTarget(files, options.baseline)
  if (baseline !== undefined && baseline > target)
    throw new MigrationError('BAD_OPTION', `baseline ${options.baseline} is after the target ${options.to}`)
  const fake = options.fake === true

  const downs = entries.filter((entry) => entry.state === 'applied' && entry.version > target).reverse()
  const noDown = downs.filter((entry) => !fake && entry.file?.downPath === undefined)
  if (noDown.length > 0)
    throw new MigrationError(
      'NO_DOWN',
      `cannot roll back to ${options.to}: no down file for ${noDown.map((entry) => entry.name).join(', ')}. ` +
        `Write ${noDown.map((entry) => `${entry.name}.down.sql`).join(', ')} beside the up file` +
        `${noDown.length > 1 ? 's' : ''}, or use fake to only erase the history row. Nothing was changed.`,
      { file: noDown[0]?.file?.upPath },
    )

  const stillApplied = entries.filter((entry) => entry.state === 'applied' && entry.version <= target)
  const latest = Math.max(0, ...stillApplied.map((entry) => entry.version))
  const ups = entries.filter((entry) => isPending(entry) && entry.version <= target)
  const late = ups.filter(
    (entry) => entry.version < latest && !(baseline !== undefined && entry.version <= baseline),
  )
  if (late.length > 0 && !options.allowOutOfOrder)
    throw new MigrationError(
      'OUT_OF_ORDER',
      `${late.map((entry) => entry.name).join(', ')} ${late.length > 1 ? 'are' : 'is'} older than the applied ` +
        `${latest}: renumber ${late.length > 1 ? 'them' : 'it'} after ${latest}, or pass --allow-out-of-order (API: allowOutOfOrder) to apply anyway.`,
      { file: late[0]?.file?.upPath },
    )

  const steps: Step[] = downs.map((entry) => ({ action: 'down', file: entry.file as MigrationFile, fake }))
  for (const entry of ups) {
    const kind = baseline !== undefined && entry.version <= baseline ? 'baseline' : fake ? 'fake' : 'applied'
    steps.push({ action: 'up', file: entry.file as MigrationFile, kind })
  }
  return steps
}

function isPending(entry: StatusEntry): boolean {
  return entry.state === 'pending' || entry.state === 'out-of-order'
}

/** Edited and missing files stop every run: the database no longer matches what the files say. */
function refuseDrift(entries: StatusEntry[]): void {
  const modified = entries.filter((entry) => entry.state === 'modified')
  const missing = entries.filter((entry) => entry.state === 'missing')
  if (modified.length > 0)
    throw new MigrationError(
      'EDITED',
      `applied migrations were edited: ${modified.map((entry) => `${entry.name} (${entry.detail})`).join('; ')}. ` +
        'Revert the file (put the change in a new migration), or, if the edit changes nothing in the database, ' +
        'accept the new checksum with repair. Nothing was changed.',
      { file: modified[0]?.file?.upPath },
    )
  if (missing.length > 0)
    throw new MigrationError(
      'MISSING',
      `applied migrations have no file: ${missing.map((entry) => entry.name).join(', ')}. Restore the file, ` +
        'or, if it was removed on purpose, forget its history row with repair. Nothing was changed.',
    )
}

/** `undefined` → the latest; `zero` → 0; else a version or name that must exist. */
function resolveTarget(files: MigrationFile[], target: string | undefined): number {
  if (target === undefined) return Number.POSITIVE_INFINITY
  if (target === 'zero') return 0
  const file = findTarget(files, target)
  if (!file)
    throw new MigrationError(
      'UNKNOWN_TARGET',
      `unknown migration "${target}": use zero, a name or a version. Known: ${
        files.map((f) => f.name).join(', ') || 'none'
      }`,
    )
  return file.version
}
