import { createServer } from 'node:net'

/** The error of a start on a fixed port that something else already holds. */
export function portInUse(port: number): Error {
  return new Error(
    `port ${port} on 127.0.0.1 is already in use (another PostgreSQL, or an earlier \`dsta-db up\`?): ` +
      'choose another port (`--port`, the `port` option), or leave it out and a free one is picked',
  )
}

/** Whether postgres failed because its port was taken (its log says so). */
export function isPortTaken(error: unknown): boolean {
  return /could not bind|Address already in use/.test(String(error))
}

/** Listens on `port` of 127.0.0.1 (0: any free one), and closes again; the port it got. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/** A port of 127.0.0.1 that is free now. */
export function freePort(): Promise<number> {
  return listenOnce(0)
}

/**
 * Fails at once, before any copy, when a fixed port is taken on 127.0.0.1. (A race with another
 * process taking it between this check and the server's bind is caught from the server's log.)
 */
export async function checkPortFree(port: number): Promise<void> {
  await listenOnce(port).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE'
      ? portInUse(port)
      : new Error(`port ${port} on 127.0.0.1: ${error.message}`)
  })
}
