import { readFileSync } from 'node:fs'
import pg from 'pg'
import { type StartedPostgres, startPostgres } from '../src/server/index.js'

const SCHEMA = readFileSync(new URL('../sql/0001_initial.up.sql', import.meta.url), 'utf8')

/** A server for one test file, and fresh databases holding the DSTA schema on demand. */
export interface GenerateServer {
  server: StartedPostgres
  /** Creates an empty database with the schema applied; returns its address. */
  freshDatabase(): Promise<string>
  stop(): Promise<void>
}

export async function startGenerateServer(): Promise<GenerateServer> {
  const server = await startPostgres()
  let counter = 0
  return {
    server,
    async freshDatabase() {
      const name = `generate_${process.pid}_${counter++}`
      await withClient(server.url, (client) => client.query(`CREATE DATABASE ${name}`))
      const url = new URL(server.url)
      url.pathname = `/${name}`
      await withClient(url.toString(), (client) => client.query(SCHEMA))
      return url.toString()
    },
    stop: () => server.stop(),
  }
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}
