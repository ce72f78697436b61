// The server dies mid-run (its postmaster killed): the run ends promptly, failing, and says once
// that the server is gone, instead of hanging or printing a stack per test.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { defaultBaseDir } from '../src/server/index.js'
import { startNested } from './fixtures-vitest/run-nested.js'

function postmasterOf(pid: number): number | undefined {
  for (const folder of readdirSync(defaultBaseDir()).filter((name) => name.startsWith(`run-${pid}-`))) {
    try {
      return Number(
        readFileSync(join(defaultBaseDir(), folder, 'data/postmaster.pid'), 'utf8').split('\n')[0],
      )
    } catch {}
  }
  return undefined
}

test('the postmaster killed mid-run: the run ends within seconds, with one line saying the server is gone', async () => {
  const run = startNested('gone', ['--maxWorkers', '2'])
  for (let i = 0; i < 1200 && run.records().length < 2; i++) await new Promise((r) => setTimeout(r, 50))
  const postmaster = postmasterOf(run.pid)
  expect(postmaster).toBeGreaterThan(0)
  const killedAt = Date.now()
  process.kill(postmaster as number, 'SIGKILL')
  const result = await run.result
  const seconds = (Date.now() - killedAt) / 1000
  const lines = result.output.split('\n')
  console.log(
    `server gone: the run ended ${seconds.toFixed(1)} s after the kill, exit ${result.exitCode}, ${lines.length} lines of output`,
  )
  console.log(result.output.slice(-6000))
  expect(result.exitCode).toBe(1)
  expect(result.output.match(/the PostgreSQL server .* is gone/g)).toHaveLength(1)
}, 180_000)
