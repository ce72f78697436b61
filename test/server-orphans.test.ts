// A run killed at any moment leaves no server, data folder or System V segment behind: its watchdog
// cleans up at once, and if the watchdog died too, the next start does.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbedded } from '../src/server/index.js'
import { isAlive, ownerTag, removeStaleRuns } from '../src/server/orphans.js'

let baseDir: string
beforeAll(async () => {
  baseDir = await mkdtemp(join(tmpdir(), 'dsta-orphans-'))
  await (await startEmbedded({ baseDir })).stop() // the cluster, made once for the file
})
afterAll(() => rm(baseDir, { recursive: true, force: true }))

/** A process of its own group that starts an embedded server on `baseDir` and prints its data folder. */
function startServerProcess(): ChildProcess {
  const script = `
    import { startEmbedded } from ${JSON.stringify(join(import.meta.dirname, '../src/server/index.ts'))}
    const server = await startEmbedded({ baseDir: ${JSON.stringify(baseDir)} })
    console.log('ready')
    setInterval(() => {}, 1000)`
  return spawn(
    process.execPath,
    ['--import', join(import.meta.dirname, 'support/register-ts.mjs'), '--input-type=module', '-e', script],
    { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  )
}

const ready = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.stdout?.on('data', (chunk) => String(chunk).includes('ready') && resolve()),
  )
const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve))

function runFolders(pid: number): string[] {
  return readdirSync(baseDir).filter((entry) => entry.startsWith(`run-${pid}-`))
}

/** The postmaster's pid and System V segment (key, id), from its postmaster.pid. */
function postmasterOf(pid: number): { pid: number; key: number; id: number } {
  const [folder] = runFolders(pid)
  const lines = readFileSync(join(baseDir, folder as string, 'data/postmaster.pid'), 'utf8').split('\n')
  const [key, id] = (lines[6] ?? '').trim().split(/\s+/).map(Number)
  return { pid: Number(lines[0]), key: key as number, id: id as number }
}

function segmentExists(id: number): boolean {
  return readFileSync('/proc/sysvipc/shm', 'utf8')
    .split('\n')
    .some((line) => line.trim().split(/\s+/)[1] === String(id))
}

async function waitUntil(condition: () => boolean, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; !condition() && Date.now() < end; )
    await new Promise((resolve) => setTimeout(resolve, 50))
  return condition()
}

function watchdogOf(runDir: string): number | undefined {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const args = (() => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      } catch {
        return []
      }
    })()
    if (args.includes('dsta-db-watchdog') && args.includes(runDir)) return Number(entry)
  }
  return undefined
}

describe.skipIf(!existsSync('/proc/sysvipc/shm'))('killed runs', () => {
  it('SIGKILL of the whole process group: server, folder and System V segment gone at once', async () => {
    const child = startServerProcess()
    await ready(child)
    const postmaster = postmasterOf(child.pid as number)
    expect(segmentExists(postmaster.id)).toBe(true)
    process.kill(-(child.pid as number), 'SIGKILL') // what a CI time-out sends
    await exited(child)
    expect(await waitUntil(() => !isAlive(postmaster.pid))).toBe(true)
    expect(await waitUntil(() => runFolders(child.pid as number).length === 0)).toBe(true)
    expect(await waitUntil(() => !segmentExists(postmaster.id))).toBe(true)
  })

  it('SIGKILL during the copy of the data folder: the folder goes (at once, or at the next start)', async () => {
    const child = startServerProcess()
    const copying = () =>
      runFolders(child.pid as number).some((folder) => existsSync(join(baseDir, folder, 'data')))
    expect(await waitUntil(copying, 30_000)).toBe(true)
    process.kill(-(child.pid as number), 'SIGKILL')
    await exited(child)
    if (!(await waitUntil(() => runFolders(child.pid as number).length === 0, 5000)))
      await (await startEmbedded({ baseDir })).stop()
    expect(runFolders(child.pid as number)).toEqual([])
  })

  it('the watchdog killed too: the next start stops nothing of others, removes the segment and the folder', async () => {
    const child = startServerProcess()
    await ready(child)
    const postmaster = postmasterOf(child.pid as number)
    const runDir = join(baseDir, runFolders(child.pid as number)[0] as string)
    const watchdog = watchdogOf(runDir)
    expect(watchdog).toBeGreaterThan(0)
    process.kill(watchdog as number, 'SIGKILL')
    process.kill(-(child.pid as number), 'SIGKILL')
    await exited(child)
    expect(await waitUntil(() => !isAlive(postmaster.pid))).toBe(true)
    expect(existsSync(runDir)).toBe(true) // left: no one was there to clean up
    expect(segmentExists(postmaster.id)).toBe(true)
    const next = await startEmbedded({ baseDir })
    try {
      expect(existsSync(runDir)).toBe(false)
      expect(segmentExists(postmaster.id)).toBe(false)
    } finally {
      await next.stop()
    }
  })

  it('a postmaster left running on a folder already removed: the next start stops it', async () => {
    const child = startServerProcess()
    await ready(child)
    const postmaster = postmasterOf(child.pid as number)
    const runDir = join(baseDir, runFolders(child.pid as number)[0] as string)
    process.kill(watchdogOf(runDir) as number, 'SIGKILL')
    process.kill(child.pid as number, 'SIGKILL') // the main process alone: postgres lives on
    await exited(child)
    await rm(runDir, { recursive: true, force: true }) // as a watchdog killed between its two steps would
    expect(isAlive(postmaster.pid)).toBe(true)
    const next = await startEmbedded({ baseDir })
    await next.stop()
    expect(await waitUntil(() => !isAlive(postmaster.pid))).toBe(true)
    expect(await waitUntil(() => !segmentExists(postmaster.id))).toBe(true)
  })
})

describe.skipIf(!existsSync('/proc/self/stat'))('a dead run whose pid was reused', () => {
  it('its folder is swept; a live run’s folder is kept, whatever the clock says', async () => {
    const base = await mkdtemp(join(tmpdir(), 'dsta-reused-'))
    // A stranger that got the dead run's pid: it started at another tick than the one the name records.
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' })
    try {
      const dead = join(base, `run-${stranger.pid}-1-abc123`)
      const live = `run-${ownerTag()}-def456` // ours, as startEmbedded names it
      const older = `run-${process.pid}-ghi789` // a name without ticks: cannot tell, kept while alive
      for (const folder of [dead, join(base, live), join(base, older)])
        await mkdir(join(folder, 'data'), { recursive: true })
      const hourAgo = new Date(Date.now() - 3_600_000)
      await utimes(join(base, live), hourAgo, hourAgo) // the clock plays no part
      expect(isAlive(stranger.pid as number)).toBe(true)
      expect(await removeStaleRuns(base)).toEqual([dead])
      expect(readdirSync(base).sort()).toEqual([live, older].sort())
      expect(isAlive(stranger.pid as number)).toBe(true) // the stranger is left alone
    } finally {
      stranger.kill()
      await rm(base, { recursive: true, force: true })
    }
  })
})
