// What a killed command leaves: run folders and postmasters noted while it ran, then, after the next
// start, what of them survives (processes, folders, System V segments, /dev/shm files).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isAlive } from '../../src/server/orphans.js'

export interface Recorded {
  folders: Set<string>
  postmasters: Map<string, { pid: number; segment: number }>
}

/** Notes every run folder and postmaster the command makes while it runs (their pids and segments). */
export function watchRunFolders(baseDir: string): Recorded & { stop(): Recorded } {
  const recorded: Recorded = { folders: new Set(), postmasters: new Map() }
  const look = () => {
    for (const entry of readdirSync(baseDir).filter((name) => /^(run|building)-\d+-/.test(name))) {
      if (entry.startsWith(`run-${process.pid}-`)) continue
      recorded.folders.add(entry)
      try {
        const lines = readFileSync(join(baseDir, entry, 'data/postmaster.pid'), 'utf8').split('\n')
        const segment = Number((lines[6] ?? '').trim().split(/\s+/)[1])
        if (lines[0] && segment) recorded.postmasters.set(entry, { pid: Number(lines[0]), segment })
      } catch {
        // not started yet, or gone
      }
    }
  }
  const timer = setInterval(look, 25)
  return {
    ...recorded,
    stop: () => {
      look()
      clearInterval(timer)
      return recorded
    },
  }
}

/** What the killed command left after the next start: processes, folders, segments. */
export function leftovers(
  baseDir: string,
  recorded: Recorded,
  label: string,
  pid: number,
  posixBefore: Set<string>,
): string[] {
  const left: string[] = []
  for (const folder of recorded.folders)
    if (existsSync(join(baseDir, folder))) left.push(`${label}: folder ${folder}`)
  for (const [folder, postmaster] of recorded.postmasters) {
    if (isAlive(postmaster.pid))
      left.push(`${label}: postgres ${postmaster.pid} of ${folder} (${describeProcess(postmaster.pid)})`)
    if (segments().has(postmaster.segment)) left.push(`${label}: System V segment ${postmaster.segment}`)
  }
  for (const proc of processesOfGroup(pid)) left.push(`${label}: process ${proc} of the killed group`)
  // Ours use mmap for dynamic shared memory: none should appear. (Other servers' may exist already;
  // one leaked by the other lane would be counted here too: the count is 0 or it is a finding.)
  const fresh = [...posixSegments()].filter((entry) => !posixBefore.has(entry))
  const mapped = fresh.length > 0 ? mappedFiles() : ''
  for (const entry of fresh)
    if (!mapped.includes(entry)) left.push(`${label}: /dev/shm/${entry} (no process has it)`)
  return left
}

/** Every process's memory maps, as one text (to tell a live server's segment from a leaked one). */
function mappedFiles(): string {
  let text = ''
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name)))
    try {
      text += readFileSync(`/proc/${entry}/maps`, 'utf8')
    } catch {
      // gone, or not ours to read
    }
  return text
}

export function posixSegments(): Set<string> {
  return new Set(readdirSync('/dev/shm').filter((name) => name.startsWith('PostgreSQL.')))
}

export function segments(): Set<number> {
  const table = readFileSync('/proc/sysvipc/shm', 'utf8').split('\n').slice(1)
  return new Set(table.map((line) => Number(line.trim().split(/\s+/)[1])).filter(Boolean))
}

function processesOfGroup(pgid: number): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') found.push(Number(entry))
    } catch {
      // gone
    }
  }
  return found
}

export function clusterPasswords(baseDir: string): string[] {
  return readdirSync(baseDir)
    .filter((name) => /^cluster-[\d.]+-[0-9a-f]{12}$/.test(name))
    .map((name) => {
      try {
        return readFileSync(join(baseDir, name, 'dsta-db.password'), 'utf8').trim()
      } catch {
        return ''
      }
    })
    .filter(Boolean)
}

/** A process as /proc shows it (state, parent, command line): what the orphan message prints. */
function describeProcess(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
    return `state ${state}, parent ${ppid}, ${args.slice(0, 160) || stat.slice(0, stat.lastIndexOf(')') + 1)}`
  } catch {
    return 'gone by now'
  }
}
