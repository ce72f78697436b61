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

/**
 * Fails at once, before any copy, when a fixed port is taken on 127.0.0.1. (A race with another
 * process taking it between this check and the server's bind is caught from the server's log.)
 */
export function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? portInUse(port)
          : new Error(`port ${port} on 127.0.0.1: ${error.message}`),
      ),
    )
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve()))
  })
}
