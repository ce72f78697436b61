import { chown, mkdir, readFile, writeFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { join, resolve } from 'node:path'
import type { RunAs } from './user.js'

// The test workers' own way in to an embedded server: a Unix socket in the run's folder, where our
// OS user alone logs in as `postgres`, by peer authentication (the kernel says who connects; no
// password). It authenticates in one round trip. Over TCP, node-postgres's SCRAM takes a dozen turns
// of the event loop, each behind whatever the worker is doing: while a test file's modules load,
// the connection a file's set-up opened took 60–300 ms instead of 20. Everyone else (users' own
// pools, `DATABASE_URL`, `dsta-db up`) keeps TCP and the password.

const MARK = '# dsta-db: the test workers, over the run folder socket'
const MAP = 'dsta_db_workers'
// sockaddr_un holds 104 bytes on macOS, 108 on Linux, NUL included.
const MAX_SOCKET_PATH = 103

/** Server settings of the caller's own that this door depends on: with any of them, there is none. */
const OWN_SETTINGS = ['unix_socket_directories', 'hba_file', 'ident_file']

/**
 * Makes the socket folder and lets our OS user in over it, in the copied data folder's pg_hba.conf and
 * pg_ident.conf (lines of an earlier run, saved in a snapshot, are replaced). The folder to pass as
 * `unix_socket_directories`; undefined when the socket cannot serve (a path too long for a socket,
 * an OS user without a name, settings of the caller's own for the socket or those files), and the
 * workers then use TCP.
 */
export async function preparePeerSocket(
  runDir: string,
  dataDir: string,
  user: RunAs | undefined,
  settings: Record<string, unknown> = {},
): Promise<string | undefined> {
  const dir = resolve(runDir, 'socket') // the server resolves a relative one from its data folder
  const osUser = usableUser()
  const usable =
    osUser !== undefined &&
    Buffer.byteLength(join(dir, '.s.PGSQL.65535')) <= MAX_SOCKET_PATH &&
    !OWN_SETTINGS.some((name) => name in settings)
  // First match wins: our line goes before the cluster's own `local … scram-sha-256`. The files
  // exist, so writing keeps their owner (the server's user) and mode.
  await rewrite(join(dataDir, 'pg_hba.conf'), (lines) =>
    usable ? [`local all postgres peer map=${MAP} ${MARK}`, ...lines] : lines,
  )
  await rewrite(join(dataDir, 'pg_ident.conf'), (lines) =>
    usable ? [...lines, `${MAP} ${osUser} postgres ${MARK}`] : lines,
  )
  if (!usable) return undefined
  await mkdir(dir, { mode: 0o700 })
  if (user) await chown(dir, user.uid, user.gid)
  return dir
}

/** Our OS user's name, as the server will find it for the uid; undefined if there is none to map. */
function usableUser(): string | undefined {
  try {
    const name = userInfo().username
    return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) ? name : undefined
  } catch {
    return undefined // a uid without a passwd entry: the server could not name it either
  }
}

async function rewrite(file: string, change: (lines: string[]) => string[]): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => !line.endsWith(MARK))
  while (lines.at(-1) === '') lines.pop()
  await writeFile(file, `${change(lines).join('\n')}\n`)
}
