// Reproducer of issue 11's "up orphans": kills `dsta-db up` (SIGKILL of main, of the group, Ctrl-C)
// at moments from..to ms after its start, then checks that nothing of it runs (zombies aside) and no
// run folder is left within 20 s. MATRIX_CHECK=1 also checks as the fault matrix did: after the next
// `up --demo`, the recorded postmaster pids with kill(pid, 0), printing each one's /proc state.
// Usage: node_modules/.bin/node test/faults/up-kill-repro.mjs [fromMs] [toMs] [stepMs] [main,group,ctrl-c]
// With a slow reaper: python3 test/faults/slow-reaper.py node_modules/.bin/node test/faults/up-kill-repro.mjs
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const repo = new URL('../', import.meta.url).pathname
const node = join(repo, 'node_modules/.bin/node')
const cli = join(repo, 'dist/cli/main.js')
const [from = 0, to = 4000, step = 200] = process.argv.slice(2, 5).map(Number)
const kinds = (process.argv[5] ?? 'main,group,ctrl-c').split(',')
const base = mkdtempSync('/dev/shm/wt11d-repro-')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const t0 = () => performance.now()

function procs() {
  const out = []
  for (const e of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const args = readFileSync(`/proc/${e}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
      if (!args.includes(base)) continue
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (f[0] === 'Z') continue
      out.push({ pid: Number(e), ppid: Number(f[1]), pgid: Number(f[2]), args })
    } catch {}
  }
  return out
}
const isAlive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return e.code === 'EPERM'
  }
}

// warm-up: make the cluster
await new Promise((resolve) => {
  const c = spawn(node, [cli, 'up', '--demo'], {
    env: { ...process.env, DSTA_DB_TMPDIR: base },
    stdio: 'ignore',
  })
  c.once('exit', resolve)
})

const results = []
for (let delay = from; delay <= to; delay += step) {
  for (const kind of kinds) {
    const start = t0()
    const events = []
    const child = spawn(node, [cli, 'up'], {
      env: { ...process.env, DSTA_DB_TMPDIR: base, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let out = ''
    child.stdout.on('data', (c) => {
      out += c
      events.push(`${Math.round(t0() - start)} out:${String(c).trim().split('\n')[0].slice(0, 40)}`)
    })
    child.stderr.on('data', (c) => (out += c))
    const exited = new Promise((r) => child.once('exit', r))
    const postmasters = new Set()
    const recorded = new Map()
    const watch = setInterval(() => {
      for (const entry of readdirSync(base).filter((n) => n.startsWith('run-'))) {
        try {
          const lines = readFileSync(join(base, entry, 'data/postmaster.pid'), 'utf8').split('\n')
          if (lines[0] && lines[6]?.trim()) recorded.set(entry, Number(lines[0]))
        } catch {}
      }
      for (const p of procs())
        if (/postgres -D/.test(p.args) && !postmasters.has(p.pid)) {
          postmasters.add(p.pid)
          events.push(`${Math.round(t0() - start)} postmaster ${p.pid}`)
        }
    }, 10)
    await Promise.race([exited, sleep(delay)])
    const done = child.exitCode !== null || child.signalCode !== null
    if (!done) {
      events.push(`${Math.round(t0() - start)} KILL ${kind}`)
      if (kind === 'group') process.kill(-child.pid, 'SIGKILL')
      else if (kind === 'main') process.kill(child.pid, 'SIGKILL')
      else process.kill(-child.pid, 'SIGINT')
      await Promise.race([exited, sleep(30000)])
    }
    clearInterval(watch)
    if (process.env.MATRIX_CHECK) {
      const t = t0()
      await new Promise((resolve) => {
        const c = spawn(node, [cli, 'up', '--demo'], {
          env: { ...process.env, DSTA_DB_TMPDIR: base },
          stdio: 'ignore',
        })
        c.once('exit', resolve)
      })
      const states = [...recorded].map(([entry, pid]) => {
        let st = 'gone'
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
          st = `state ${f[0]} ppid ${f[1]} cmd ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 80)}`
        } catch {}
        return `${entry}:${pid} ${st}`
      })
      const alive = [...recorded.values()].filter(isAlive)
      if (alive.length)
        console.log(
          `MATRIX-ORPHAN ${kind} at ${delay}: next run took ${Math.round(t0() - t)} ms; ${states.join('; ')}`,
        )
    }
    // give the watchdog time: up to 20 s for nothing of the run to remain
    let left = []
    for (let i = 0; i < 200; i++) {
      left = procs() // the watchdog included: it must have finished too
      if (left.length === 0) break
      await sleep(100)
    }
    const runs = readdirSync(base).filter((n) => n.startsWith('run-'))
    const r = { delay, kind, done, left, runs, events, exit: child.exitCode ?? child.signalCode }
    results.push(r)
    const bad = left.length > 0 || runs.length > 0
    console.log(
      `${bad ? 'LEFT' : 'ok  '} ${kind.padEnd(6)} at ${String(delay).padStart(4)} ms exit=${r.exit}` +
        (bad
          ? `\n   left: ${JSON.stringify(left)} runs: ${runs}\n   events: ${events.join(' | ')}\n   out: ${out.trim().replaceAll('\n', ' / ').slice(0, 400)}`
          : ''),
    )
    for (const p of left)
      if (/postgres -D/.test(p.args) && isAlive(p.pid))
        try {
          process.kill(p.pid, 'SIGQUIT')
        } catch {}
  }
}
const bad = results.filter((r) => r.left.length || r.runs.length)
console.log(
  `summary: ${results.length} runs, ${results.filter((r) => !r.done).length} killed, ${bad.length} left something; base ${base}`,
)
rmSync(base, { recursive: true, force: true })
