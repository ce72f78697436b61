import { appendFileSync } from 'node:fs'
import { join } from 'node:path'

/** The file URLs this worker process has loaded so far (natively, by Node: see loaded.mjs). */
function loaded(): string[] {
  return [...((globalThis as { __dstaLoaded?: Set<string> }).__dstaLoaded ?? [])]
}

/** The heavy packages this worker process has loaded so far. */
export function heavyLoaded(): string[] {
  return ['pg', 'slonik', 'zod', '@faker-js'].filter((name) =>
    loaded().some((url) => url.includes(`/node_modules/${name}/`)),
  )
}

const dist = new URL('../../../dist/', import.meta.url).href

/** The modules of our built package this worker process has loaded so far, e.g. `vitest/fixtures`. */
export function distLoaded(): string[] {
  return loaded()
    .filter((url) => url.startsWith(dist))
    .map((url) => url.slice(dist.length).replace(/\.js$/, ''))
}

/** Appends one JSON line to $DSTA_SAMPLE_OUT/records.jsonl for the outer test. */
export function record(entry: Record<string, unknown>): void {
  const dir = process.env.DSTA_SAMPLE_OUT
  if (dir) appendFileSync(join(dir, 'records.jsonl'), `${JSON.stringify(entry)}\n`)
}
