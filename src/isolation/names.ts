// The names of the databases this toolkit makes, and their addresses. A module that imports nothing:
// a test worker's hot path (its slot's clone) needs these and nothing else of admin.ts or clones.ts.

/** Every database this toolkit creates starts with this prefix, so a cleanup never touches anything else. */
export const DSTA_PREFIX = 'dsta_'

/** The address of database `name` on the server of `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${encodeURIComponent(name)}`
  return url.toString()
}

/** Names of one run's databases: `dsta_<run>_w<slot>_…` per worker slot, `_s<n>_…` spares, `_f…` claimed by a file. */
export interface RunNames {
  runId: string
  template: string
}

/** The end of every name of a run's databases: which template they are copies of. */
export function templateSuffix(names: RunNames): string {
  return names.template.slice(-8)
}

export function runPrefix(runId: string): string {
  return `${DSTA_PREFIX}${runId}_`
}

export function workerCloneName(names: RunNames, slot: number | string): string {
  return `${runPrefix(names.runId)}w${slot}_${templateSuffix(names)}`
}

export function spareName(names: RunNames, sequence: number): string {
  return `${runPrefix(names.runId)}s${sequence}_${templateSuffix(names)}`
}

export function isSpare(names: RunNames, name: string): boolean {
  return (
    /^s\d+_/.test(name.slice(runPrefix(names.runId).length)) && name.endsWith(`_${templateSuffix(names)}`)
  )
}

export function fileCloneName(names: RunNames, unique: string): string {
  return `${runPrefix(names.runId)}f${unique}_${templateSuffix(names)}`
}

/** The channel a worker notifies after taking a spare, so the main process makes a new one. */
export function claimChannel(runId: string): string {
  return `${DSTA_PREFIX}${runId}_claimed`
}
