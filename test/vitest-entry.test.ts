// dsta-db/vitest is evaluated in two places: the config (light, nothing of Vitest's runtime) and the
// test worker (where `test` is built at once, and a worker slot's missing clone is made on demand).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dstaDb, expect, inject, test } from '../src/vitest/index.js'
import { slotClient, workerSlot } from '../src/vitest/worker.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const counter = fileURLToPath(new URL('../bench/support/count-modules.mjs', import.meta.url))

function runNode(script: string) {
  const child = spawnSync(process.execPath, ['--import', counter, '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  })
  return { status: child.status, stdout: child.stdout, stderr: child.stderr }
}

test('the config-time import loads none of pg, slonik, zod or faker, nor vitest', () => {
  const result = runNode(
    "const m = await import('dsta-db/vitest'); m.dstaDb({ seed: 1 }); console.log(Object.keys(m).length)",
  )
  expect(result.status, result.stderr).toBe(0)
  expect(result.stderr).toMatch(/heavy=none/)
  expect(result.stderr).not.toMatch(/node_modules\/vitest\//)
})

test('import("dsta-db") loads neither Slonik nor Faker until they are used', () => {
  const result = runNode("await import('dsta-db')")
  expect(result.status, result.stderr).toBe(0)
  const heavy = /heavy=(\S+)/.exec(result.stderr)?.[1] ?? ''
  expect(heavy.split(',')).not.toContain('slonik')
  expect(heavy.split(',')).not.toContain('@faker-js')
})

test('outside a test file, test and expect say where they belong', () => {
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', "const { test } = await import('dsta-db/vitest'); test('x', () => {})"],
    { cwd: root, encoding: 'utf8' },
  )
  expect(result.status).not.toBe(0)
  expect(result.stderr).toMatch(/dsta-db\/vitest: `test` works only inside a test file run by Vitest/)
})

test('in a test file, dstaDb says it belongs in vitest.config.ts (the plugin is not loaded there)', () => {
  expect(() => dstaDb()).toThrow(
    /dsta-db\/vitest: `dstaDb` works only in vitest.config.ts \(plugins: \[dstaDb\(\)\]\)/,
  )
  expect(String(Object.keys({ dstaDb }))).toBe('dstaDb') // inspecting the export does not throw
})

test('a worker slot whose clone was never made gets one on first use (Vitest 4 and late workers)', async () => {
  const context = inject('dstaDb')
  const previous = process.env.VITEST_POOL_ID
  process.env.VITEST_POOL_ID = `late${process.pid}`
  try {
    const client = await slotClient(context).client
    const name = (await client.query('SELECT current_database() AS name')).rows[0].name
    expect(name).toContain(`_wlate${process.pid}_`)
    expect((await client.query('SELECT count(*)::int AS n FROM candlesticks')).rows[0].n).toBe(0)
    expect(workerSlot()).toBe(`late${process.pid}`)
  } finally {
    if (previous === undefined) delete process.env.VITEST_POOL_ID
    else process.env.VITEST_POOL_ID = previous
  }
})
