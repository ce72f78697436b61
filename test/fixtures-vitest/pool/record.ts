import { appendFileSync } from 'node:fs'
import { join } from 'node:path'

/** The heavy packages this worker process has loaded so far. */
export function heavyLoaded(): string[] {
  const loaded = (globalThis as { __dstaLoaded?: Set<string> }).__dstaLoaded ?? new Set<string>()
  return ['pg', 'slonik', 'zod', '@faker-js'].filter((name) =>
    [...loaded].some((url) => url.includes(`/node_modules/${name}/`)),
  )
}

/** Appends one JSON line to $DSTA_SAMPLE_OUT/records.jsonl for the outer test. */
export function record(entry: Record<string, unknown>): void {
  const dir = process.env.DSTA_SAMPLE_OUT
  if (dir) appendFileSync(join(dir, 'records.jsonl'), `${JSON.stringify(entry)}\n`)
}
