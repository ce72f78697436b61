import { readdir, statfs } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { run } from './run.js'

// A start copies its cluster or snapshot into the base folder, in memory by default (/dev/shm), and
// the tests then write into that copy. A /dev/shm too small for it (Docker gives containers 64 MB)
// would fail halfway with "No space left on device": a start checks first, and moves to the OS temp
// folder, on disk, saying so.

const MB = 1024 * 1024
/** Above this much free space nothing is measured: the common case costs one statfs. */
const PLENTY = 1024 * MB
/** Room for what a run writes into its copy: WAL, a template, clones, the tests' rows. */
const HEADROOM = 64 * MB
/** A first start: initdb's cluster (31 MB for 18.4), perhaps the binaries copied (60 MB), and a copy. */
const FIRST_START = 160 * MB
const TMPFS = 0x01021994

/** Free bytes where `path` is (or would be: its nearest existing parent), and whether that is memory. */
async function free(path: string): Promise<{ bytes: number; memory: boolean }> {
  for (let current = resolve(path); ; current = dirname(current)) {
    try {
      const found = await statfs(current)
      return { bytes: found.bavail * found.bsize, memory: found.type === TMPFS }
    } catch (error) {
      if (dirname(current) === current) throw error
    }
  }
}

/** What a start in `baseDir` needs: its largest cached cluster or snapshot plus headroom, or a first start's. */
async function needed(baseDir: string): Promise<number> {
  const cached = (await readdir(baseDir).catch(() => [] as string[])).filter((name) =>
    name.startsWith('cluster-'),
  )
  if (cached.length === 0) return FIRST_START + HEADROOM
  const sizes = await Promise.all(
    cached.map(async (name) => {
      const out = await run('du', ['-sk', join(baseDir, name)]).catch(() => '0')
      return Number.parseInt(out, 10) * 1024
    }),
  )
  return Math.max(...sizes) + HEADROOM
}

const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`

/**
 * `baseDir` when it has room for a start, else the OS temp folder's `dsta-db` (said on stderr);
 * fails, naming both folders and the figures, when neither has room.
 */
export async function baseDirWithRoom(baseDir: string, warn = console.warn): Promise<string> {
  const here = await free(baseDir)
  if (here.bytes >= PLENTY) return baseDir
  const need = await needed(baseDir)
  if (here.bytes >= need) return baseDir
  const fallback = join(tmpdir(), 'dsta-db')
  const there = resolve(fallback) === resolve(baseDir) ? here : await free(fallback)
  const needThere = await needed(fallback)
  if (resolve(fallback) === resolve(baseDir) || there.bytes < needThere)
    throw new Error(
      `no room for a PostgreSQL server: ${baseDir} has ${mb(here.bytes)} free and a start needs about ${mb(need)}` +
        (resolve(fallback) === resolve(baseDir) ? '' : `; ${fallback} has ${mb(there.bytes)}`) +
        '. Free some space, or set DSTA_DB_TMPDIR to a folder with room',
    )
  warn(
    `dsta-db: ${baseDir} has ${mb(here.bytes)} free, a start needs about ${mb(need)}: ` +
      `using ${fallback}${there.memory ? '' : ' (on disk: slower starts)'} instead. ` +
      'Give it more room (e.g. docker run --shm-size=512m) or set DSTA_DB_TMPDIR to silence this.',
  )
  return fallback
}

/** A "No space left on device" failure, said as what it is and what to do; other errors as they are. */
export function explainNoSpace(error: unknown, baseDir: string): unknown {
  if (!/No space left on device|ENOSPC/.test(String(error))) return error
  return new Error(
    `${baseDir} ran out of space while starting PostgreSQL (No space left on device): ` +
      'free some space there, or set DSTA_DB_TMPDIR to a folder with room',
  )
}
