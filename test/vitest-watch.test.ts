// Watch mode: the server and template stay across re-runs; a changed migration file re-runs the
// tests on a new template that has the change.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { leftoverServerDirs } from './fixtures-vitest/run-nested.js'

const repo = fileURLToPath(new URL('../', import.meta.url))
const project = mkdtempSync(join(tmpdir(), 'dsta-watch-'))
afterAll(() => rmSync(project, { recursive: true, force: true }))

function writeProject() {
  symlinkSync(join(repo, 'node_modules'), join(project, 'node_modules'))
  writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(
    join(project, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config'
import { dstaDb } from '${repo}src/vitest/index.ts'
export default defineConfig({ plugins: [dstaDb({ migrations: ['migrations'] })], test: { include: ['*.test.ts'] } })\n`,
  )
  mkdirSync(join(project, 'migrations'))
  writeFileSync(join(project, 'migrations/1000_notes.up.sql'), 'CREATE TABLE notes (id int);\n')
  writeFileSync(
    join(project, 'columns.test.ts'),
    `import { sql } from 'slonik'
import { expect, test } from '${repo}src/vitest/index.ts'
test('notes columns', async ({ db }) => {
  const columns = await db.anyFirst(sql.unsafe\`SELECT column_name FROM information_schema.columns
    WHERE table_name = 'notes' ORDER BY ordinal_position\`)
  console.log('COLUMNS=' + columns.join(','))
  expect(columns.length).toBeGreaterThan(0)
})\n`,
  )
}

test('a changed migration file rebuilds the template and re-runs the tests on it', async () => {
  writeProject()
  const child = spawn(
    join(repo, 'node_modules/.bin/node'),
    [join(repo, 'node_modules/vitest/vitest.mjs'), '--watch'],
    {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1', CI: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  )
  let output = ''
  const seen = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${text}" in:\n${output}`)), 60_000)
      const check = () => {
        if (!output.includes(text)) return
        clearTimeout(timer)
        resolve()
      }
      child.stdout.on('data', (chunk) => {
        output += chunk
        check()
      })
      child.stderr.on('data', (chunk) => {
        output += chunk
        check()
      })
      check()
    })
  try {
    await seen('COLUMNS=id')
    const first = /template (dsta_tpl_\w+)/.exec(output)?.[1]
    writeFileSync(join(project, 'migrations/1000_notes.up.sql'), 'CREATE TABLE notes (id int, body text);\n')
    await seen('COLUMNS=id,body')
    const rebuilt = /migrations changed, template (dsta_tpl_\w+) built/.exec(output)?.[1]
    expect(rebuilt).toBeDefined()
    expect(rebuilt).not.toBe(first)
    expect(output.match(/dsta-db: seed/g)).toHaveLength(1) // one server for the whole watch session
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGINT') // Ctrl-C, as a user ends watch mode
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(force)
  }
  // Vitest's teardown or, if it is cut short, our watchdog removes the server and its folder.
  for (let i = 0; i < 100 && leftoverServerDirs(child.pid ?? -1).length > 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 100))
  expect(leftoverServerDirs(child.pid ?? -1)).toEqual([])
}, 120_000)
