// A server with few connections: a run that would outgrow them fails at its start with one line
// naming max_connections and the --maxWorkers that fits; a run that fits passes.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'
import { runNested } from './fixtures-vitest/run-nested.js'

let server: StartedPostgres
beforeAll(async () => {
  server = await startPostgres({ provider: 'embedded', settings: { max_connections: 20 } })
})
afterAll(() => server?.stop())

test('max_connections = 20: 8 workers are refused at the start, naming the setting; 6 fit and pass', async () => {
  const env = { DATABASE_URL: server.url }
  const tooMany = await runNested('shared', ['--maxWorkers', '8'], env)
  expect(tooMany.exitCode).not.toBe(0)
  expect(tooMany.output).toContain('dsta-db: the server allows max_connections = 20')
  expect(tooMany.output).toContain(
    'this run needs up to 26: 2 + 3 per worker × 8 workers. Run with --maxWorkers 6',
  )
  expect(tooMany.output).not.toMatch(/\n\s+at /) // one line, no stack
  expect(tooMany.results).toEqual([]) // no test ran, none timed out halfway

  const fitting = await runNested('shared', ['--maxWorkers', '6'], env)
  expect(fitting.exitCode, fitting.output).toBe(0)
}, 180_000)
