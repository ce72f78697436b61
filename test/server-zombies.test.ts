// A killed run's postmaster, once dead, is a zombie until its new parent reaps it: init, as the run
// was its parent, and a slow init (a container's PID 1) takes seconds. `kill(pid, 0)` counts a
// zombie as alive: the fault matrix reported such zombies as "postgres left running" after kills of
// `dsta-db up` (issue 11), and the watchdog waited 15 s on each before it removed the folder.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { isAlive } from '../src/server/orphans.js'

const started: ChildProcess[] = []
const fakes: number[] = []
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL')
  for (const pid of fakes.splice(0))
    try {
      process.kill(pid, 'SIGKILL') // a stand-in postmaster the watchdog did not stop (a failed test)
    } catch {
      // stopped, as it should be
    }
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const isZombie = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return false
  }
}

/** Runs `command` under a parent that never reaps it (the parent becomes `sleep 60`); resolves with its pid. */
async function unreapedChild(...command: string[]): Promise<number> {
  const parent = spawn('sh', ['-c', '"$@" & echo $!; exec sleep 60', 'outer', ...command], {
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  started.push(parent)
  return new Promise<number>((resolve) =>
    parent.stdout?.once('data', (chunk) => resolve(Number(String(chunk).trim()))),
  )
}

test.skipIf(!existsSync('/proc/self/stat'))(
  'a zombie is not alive, though kill(pid, 0) says so',
  async () => {
    // It outlives the shell's exec: a child that ends before it, the shell may still reap (seen once in
    // CI: a zombie that was gone by the next line).
    const pid = await unreapedChild('sleep', '0.3')
    for (let i = 0; i < 150 && !isZombie(pid); i++) await sleep(20)
    expect(isZombie(pid)).toBe(true)
    expect(() => process.kill(pid, 0)).not.toThrow() // what the old checks used
    expect(isAlive(pid)).toBe(false)
    expect(isAlive(process.pid)).toBe(true)
  },
)

test.skipIf(!existsSync('/proc/self/stat'))(
  'the watchdog stops a postmaster whose parent does not reap it, and removes the folder at once',
  async () => {
    const runDir = await mkdtemp('/dev/shm/dsta-zombie-run-')
    await mkdir(join(runDir, 'data'))
    try {
      // Stands in for a postmaster: recognised by its command line (`-D <run>/data`), stops on SIGINT.
      const fake = await unreapedChild(
        process.execPath,
        '-e',
        'process.on("SIGINT", () => process.exit(0)); console.log("ok"); setInterval(() => {}, 1000)',
        '--',
        'postgres',
        '-D',
        join(runDir, 'data'),
      )
      fakes.push(fake)
      // The run: a process that spawns the watchdog, tells it the pid, and is SIGKILLed.
      const script = `
        import { spawnWatchdog } from ${JSON.stringify(join(import.meta.dirname, '../src/server/orphans.ts'))}
        spawnWatchdog(${JSON.stringify(runDir)}).watch(${fake})
        console.log('ready')
        setInterval(() => {}, 1000)`
      const run = spawn(
        process.execPath,
        [
          '--import',
          join(import.meta.dirname, 'support/register-ts.mjs'),
          '--input-type=module',
          '-e',
          script,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      )
      started.push(run)
      await new Promise<void>((resolve) =>
        run.stdout?.on('data', (chunk) => String(chunk).includes('ready') && resolve()),
      )
      run.kill('SIGKILL')
      // The old watchdog waited 10 s on the zombie, sent SIGQUIT, waited 5 s more; the parent that
      // would reap it lives for 60 s. Now: stopped, then the folder goes within moments.
      for (let i = 0; i < 160 && existsSync(runDir); i++) await sleep(50)
      expect(existsSync(runDir)).toBe(false)
      expect(isZombie(fake)).toBe(true) // stopped by the watchdog, still unreaped
    } finally {
      await rm(runDir, { recursive: true, force: true })
    }
  },
  30_000,
)
