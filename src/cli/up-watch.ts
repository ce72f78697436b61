import { readFile } from 'node:fs/promises'
import type { StartedPostgres } from '../server/types.js'

/** Exit code of `dsta-db up` when its server died while it served (see the exit-code table in README). */
export const SERVER_GONE_EXIT = 4 as const

/** What `up` waits on besides Ctrl-C: the server going away by itself. */
export interface ServerWatch {
  /** Resolves with the reason when the server is gone; never rejects. */
  readonly gone: Promise<string>
  /** The reason, once gone. */
  readonly reason: string | undefined
  /** Stops watching (before a deliberate stop). */
  close(): Promise<void>
}

/**
 * Watches the server `up` serves. The embedded provider's server is our child: its exit, with code
 * or signal, is the hook. The container and external providers have no such hook here (the
 * container's process is the Docker daemon's child, not ours): one idle connection with TCP
 * keepalive stands in, and its loss — the server stopped, the container went, the network went —
 * says the server is gone.
 */
export function watchServer(server: StartedPostgres): ServerWatch {
  let reason: string | undefined
  let closed = false
  let close = async () => {}
  const gone = new Promise<string>((resolve) => {
    const report = (why: string) => {
      if (closed || reason !== undefined) return
      reason = why
      resolve(why)
    }
    if (server.onUnexpectedExit) return server.onUnexpectedExit(report)
    let client: import('pg').Client | undefined
    close = async () => {
      closed = true
      await client?.end().catch(() => {})
    }
    ;(async () => {
      const { default: pg } = await import('pg')
      const { goneReason } = await import('../isolation/gone.js')
      client = new pg.Client({
        connectionString: server.url,
        keepAlive: true,
        keepAliveInitialDelayMillis: 5000,
      })
      client.on('error', (error) => report(`lost the connection: ${goneReason(error)}`))
      client.on('end', () => report('lost the connection: the server closed it'))
      await client.connect()
    })().catch((error) =>
      report(`could not connect to it: ${error instanceof Error ? error.message : error}`),
    )
  })
  return {
    gone,
    get reason() {
      return reason
    },
    close: () => close(),
  }
}

/**
 * The line of the server's log that says most about its end: its last PANIC, else its last line of
 * its own (a client's FATAL — a wrong database, a wrong password — says nothing about the server).
 */
export async function lastLogLine(logFile: string | undefined): Promise<string | undefined> {
  if (!logFile) return undefined
  const lines = (await readFile(logFile, 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
  return (
    lines.findLast((line) => line.includes('PANIC:')) ??
    lines.findLast((line) => !/\b(?:ERROR|FATAL|STATEMENT|DETAIL|HINT|CONTEXT):/.test(line)) ??
    lines.at(-1)
  )
}
