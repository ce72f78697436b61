import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from './run.js'

// What a run that dies leaves, and who removes it. A watchdog shell, started before the data folder
// is copied, outlives the run: when the run's process dies (SIGKILL included) its stdin closes, and
// it stops the server, removes the System V segment a killed postmaster leaves, and the folder. If
// the watchdog dies too (the whole machine's processes killed), the next start does the same for
// every `run-<pid>-<ticks>-…` folder whose pid is dead, or now another process's.

const WATCHDOG = `trap '' INT TERM HUP
dir=$1
pid=
while read -r line; do pid=$line; done
# Every postmaster on this folder: the one we were told of, and any whose pid never reached us (a
# kill right after its spawn). Each is recognised by its own command line: postgres -D <dir>/data.
pids=$(ps -eo pid=,args= 2>/dev/null | awk -v d="-D $dir/data" 'index($0, d) { print $1 }')
# Running, not a zombie: a postmaster that exited stays a zombie until its parent reaps it, and once
# our process died that parent is init (or a subreaper), which may take seconds; kill -0 counts it.
running() { case $(ps -o stat= -p "$1" 2>/dev/null | tr -d ' ') in ''|Z*) return 1;; esac; }
for p in $pid $pids; do
  ps -o args= -p "$p" 2>/dev/null | grep -qF -- "$dir/data" || continue
  kill -INT "$p" 2>/dev/null
  i=0; while running "$p" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  running "$p" && kill -QUIT "$p" 2>/dev/null
  i=0; while running "$p" && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
done
if [ -r "$dir/data/postmaster.pid" ]; then
  set -- $(sed -n 7p "$dir/data/postmaster.pid")
  # Backends of a killed postmaster leave within moments; then no one is attached and it is ours.
  i=0; while [ $# -eq 2 ] && [ $i -lt 50 ]; do
    if awk -v k="$1" -v i="$2" '$1 == k && $2 == i && $7 == 0 { f = 1 } END { exit !f }' /proc/sysvipc/shm 2>/dev/null
    then ipcrm -m "$2" 2>/dev/null; break
    fi
    awk -v i="$2" '$2 == i { f = 1 } END { exit !f }' /proc/sysvipc/shm 2>/dev/null || break
    sleep 0.1; i=$((i+1))
  done
fi
# A copy into the folder may still run (its shell outlives a SIGKILL of the run alone): remove
# until nothing comes back.
i=0; while [ -e "$dir" ] && [ $i -lt 25 ]; do rm -rf "$dir" 2>/dev/null || sleep 0.2; i=$((i+1)); done`

/** A run's watchdog over `runDir`; tell it each postmaster's pid with `watch(pid)`. */
export interface Watchdog {
  watch(pid: number | undefined): void
  /** The run ended by itself: the watchdog has nothing left to do. */
  dismiss(): void
}

export function spawnWatchdog(runDir: string): Watchdog {
  const child: ChildProcess = spawn('sh', ['-c', WATCHDOG, 'dsta-db-watchdog', runDir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true, // not in our process group: a Ctrl-C or a group kill aimed at the run spares it
  })
  child.unref()
  child.stdin?.on('error', () => {}) // it may be gone first
  ;(child.stdin as unknown as { unref?: () => void })?.unref?.()
  return {
    watch: (pid) => {
      if (pid) child.stdin?.write(`${pid}\n`)
    },
    dismiss: () => {
      child.kill('SIGKILL')
    },
  }
}

/**
 * Whether process `pid` runs. A zombie does not: it has exited and only waits for its parent to
 * collect its status — init's job once our process died, which a busy or slow init (a container's
 * PID 1) does seconds later. `kill(pid, 0)` alone counts zombies as alive.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  return !isZombie(pid)
}

/** The fields of /proc/<pid>/stat from the third (the state) on; undefined without /proc or process. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ') // after the command, which may hold spaces
  } catch {
    return undefined
  }
}

function isZombie(pid: number): boolean {
  return statFields(pid)?.[0] === 'Z' // no /proc (macOS): as kill(pid, 0) said
}

/** A process's start time since boot, in clock ticks (Linux: /proc/<pid>/stat field 22). */
function startTicks(pid: number): string | undefined {
  return statFields(pid)?.[19]
}

/**
 * `<pid>-<start ticks>`: how a run's or a build's folder names its owner (`run-<pid>-<ticks>-…`).
 * The start ticks tell the owner from a later process that got its pid: no clock is compared.
 */
export function ownerTag(): string {
  return `${process.pid}-${startTicks(process.pid) ?? 0}`
}

/** Whether the live process `pid` is not the one that started at tick `recorded`: its pid was reused. */
function pidReused(pid: number, recorded: string | undefined): boolean {
  if (!recorded || recorded === '0') return false // an older name, or no /proc: cannot tell
  const now = startTicks(pid)
  return now !== undefined && now !== recorded
}

/** Whether `pid` runs a postgres on `dataDir` (not a stranger that got a reused pid). */
async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  const args = await run('ps', ['-o', 'args=', '-p', String(pid)]).catch(() => '')
  return args.includes(dataDir)
}

/** Stops the postmaster recorded in `dataDir` if it still runs, and removes its System V segment. */
async function stopOrphan(dataDir: string): Promise<void> {
  const lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')
  const pid = Number(lines[0])
  if (pid && isAlive(pid) && (await isPostmasterOf(pid, dataDir))) {
    process.kill(pid, 'SIGQUIT')
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  // Its backends may still be letting go of the segment (a whole group just SIGKILLed): wait for
  // them, as the run's watchdog does; once the folder is gone, neither of us could find it.
  await removeSegmentWhenFree(lines)
}

/**
 * A postmaster that died by a kill (SIGKILL, a crash) leaves its System V segment: removes it once
 * the children that outlive it for a moment have let go (within 5 s), read from its postmaster.pid.
 */
export async function removeLeftSegment(dataDir: string): Promise<void> {
  await removeSegmentWhenFree(
    (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n'),
  )
}

/** The segment of a postmaster.pid's lines (its 7th: key and id), removed once no one is attached. */
async function removeSegmentWhenFree(lines: string[]): Promise<void> {
  const [key, id] = (lines[6] ?? '').trim().split(/\s+/).map(Number)
  if (!Number.isInteger(key) || !Number.isInteger(id)) return
  for (let i = 0; i < 100; i++) {
    if (await removeSegment(key as number, id as number)) return
    const table = await readFile('/proc/sysvipc/shm', 'utf8').catch(() => '')
    if (!table.split('\n').some((line) => line.trim().split(/\s+/)[1] === String(id))) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Removes the System V segment `id` if it still has `key` (not reused) and no process attached. */
export async function removeSegment(key: number, id: number): Promise<boolean> {
  const table = await readFile('/proc/sysvipc/shm', 'utf8').catch(() => '')
  const unused = table
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .some((fields) => Number(fields[0]) === key && Number(fields[1]) === id && fields[6] === '0')
  if (!unused) return false
  return run('ipcrm', ['-m', String(id)]).then(
    () => true,
    () => false,
  )
}

/**
 * Removes what runs that died without stopping left under `baseDir`: folders are named after the
 * pid of the process that made them (`run-<pid>-…`, `building-<pid>-…`); a dead owner means stale.
 */
export async function removeStaleRuns(baseDir: string): Promise<string[]> {
  const removed: string[] = []
  // In the background: a scan of every process costs tens of ms, and what it finds (rare: a
  // watchdog killed mid-way) does not stand in this start's way.
  setTimeout(() => stopStrayPostmasters(baseDir).catch(() => {}), 0).unref()
  for (const entry of await readdir(baseDir).catch(() => [])) {
    const [, owner, ticks] = /^(?:run|building)-(\d+)-(?:(\d+)-)?/.exec(entry) ?? []
    if (!owner || (isAlive(Number(owner)) && !pidReused(Number(owner), ticks))) continue
    const folder = join(baseDir, entry)
    await stopOrphan(join(folder, 'data'))
    // Its watchdog may be removing it too, and the killed run's copy may still be writing in it (ENOTEMPTY).
    await rm(folder, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
    removed.push(folder)
  }
  return removed
}

/**
 * Postmasters still running on the folder of a dead run, whether or not the folder is still there
 * (a watchdog killed between its `rm` and the server's stop): found by their command line.
 */
async function stopStrayPostmasters(baseDir: string): Promise<void> {
  const pattern = new RegExp(`-D ${escapeRegExp(baseDir)}/run-(\\d+)-[^/\\s]+/data(?:\\s|$)`)
  for (const [pid, args] of await commandLines()) {
    const owner = pattern.exec(args)?.[1]
    if (!owner || isAlive(Number(owner))) continue
    try {
      process.kill(pid, 'SIGQUIT') // immediate shutdown: it removes its own shared memory
    } catch {
      continue
    }
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Every process's command line: read from /proc where there is one (no process to spawn), else ps. */
async function commandLines(): Promise<[number, string][]> {
  const pids = await readdir('/proc').catch(() => undefined)
  if (!pids) {
    const table = await run('ps', ['-eo', 'pid=,args=']).catch(() => '')
    return table.split('\n').flatMap((line) => {
      const [, pid, args] = /^\s*(\d+) (.*)$/.exec(line) ?? []
      return pid && args ? [[Number(pid), args] as [number, string]] : []
    })
  }
  const lines = await Promise.all(
    pids
      .filter((entry) => /^\d+$/.test(entry))
      .map(
        async (pid): Promise<[number, string]> => [
          Number(pid),
          (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' '),
        ],
      ),
  )
  return lines.filter(([, args]) => args.includes(' -D '))
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
