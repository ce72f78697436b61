// A test worker's connection to its slot's clone: over the embedded server's Unix socket (one round
// trip to log in), and over TCP when the socket fails, for the rest of the worker's life.
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type StartedPostgres, startEmbedded } from '../src/server/index.js'
import type { DstaRunContext } from '../src/vitest/options.js'
import { slotClient } from '../src/vitest/worker.js'

// This worker's connections are shared with the run's own fixtures (one store per worker): the test
// ends only the clients it opened, and puts back the socket the TCP test turned off.
const opened: Promise<import('pg').Client>[] = []
let server: StartedPostgres
beforeAll(async () => {
  server = await startEmbedded()
}, 60_000)
afterAll(async () => {
  for (const client of await Promise.allSettled(opened))
    if (client.status === 'fulfilled') await client.value.end()
  const store = (globalThis as Record<symbol, { overTcp?: boolean }>)[Symbol.for('dsta-db.worker')]
  if (store) delete store.overTcp
  await server?.stop()
})

function context(runId: string, socketDir: string | undefined): DstaRunContext {
  return {
    serverUrl: server.url,
    socketDir,
    provider: 'embedded',
    template: 'template1',
    runId,
    baseSeed: 1,
    isolation: 'transaction',
    root: '/',
    keepFailed: 0,
    project: 'p',
  }
}

async function clientAddress(run: DstaRunContext): Promise<string | null> {
  const { client: opening } = slotClient(run)
  opened.push(opening)
  const client = await opening
  return (await client.query('SELECT inet_client_addr()::text AS addr')).rows[0].addr
}

test("over the server's socket when it has one", async () => {
  expect(server.socketDir).toBeTruthy()
  expect(await clientAddress(context('sock', server.socketDir))).toBeNull()
})

test('over TCP when the socket fails, and from then on; the slot keeps its one client', async () => {
  const failing = context('gone', '/nonexistent/dsta-db-socket')
  const slot = slotClient(failing)
  expect(await clientAddress(failing)).toBe('127.0.0.1/32')
  expect(slotClient(failing)).toBe(slot) // the failed attempt on the way did not drop the slot
  expect(await clientAddress(context('after', server.socketDir))).toBe('127.0.0.1/32')
})

test('over TCP for a server without a socket (container, external)', async () => {
  expect(await clientAddress(context('tcp', undefined))).toBe('127.0.0.1/32')
})
