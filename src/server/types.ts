export type ProviderName = 'embedded' | 'container' | 'external'

/** A running PostgreSQL server. The configured provider and the running server are different things. */
export interface StartedPostgres {
  /** Superuser address of the server's `postgres` database, e.g. `postgresql://postgres@127.0.0.1:5433/postgres`. */
  readonly url: string
  readonly provider: ProviderName
  /** Server version as reported by the binaries or `server_version`, e.g. `18.4`. */
  readonly version: string
  /** Stops the server and removes everything it wrote; a no-op for `external`. Safe to call twice. */
  stop(): Promise<void>
  /** Embedded only: the server's log file (removed with the server at `stop()`). */
  readonly logFile?: string
  /** Embedded only: the folder of the binaries that run it. */
  readonly binDir?: string
  /**
   * Embedded only: the file holding the server's password (random per cached cluster, readable by
   * its owner alone). `url` carries the password too; messages print `redact(url)` and point here.
   */
  readonly passwordFile?: string
  /**
   * Embedded only: the folder of the server's Unix socket (port as in `url`), where this process's
   * OS user logs in as `postgres` without a password, in one round trip. Absent when the path would
   * be too long for a socket, when our OS user has no name to map, or when `settings` set
   * `unix_socket_directories`, `hba_file` or `ident_file` (see peer-socket.ts).
   */
  readonly socketDir?: string
  /** Embedded only: calls `listener` if the server exits without `stop()` (killed, crashed). */
  onUnexpectedExit?(listener: (reason: string) => void): void
  /** Embedded and container: whether the server started from the snapshot named in the options. */
  readonly fromSnapshot?: boolean
  /**
   * Embedded and container: at a clean `stop()`, keep the data folder as the snapshot `name` instead
   * of deleting it (the container provider commits a warm image), so that the next start with
   * `snapshot: name` begins with everything made in this run.
   * An existing snapshot of that name is kept (another run saved the same thing) unless `replace`.
   */
  saveSnapshotOnStop?(name: string, options?: { replace?: boolean }): void
}

export interface EmbeddedOptions {
  /** A folder with `initdb` and `postgres` to use instead of the npm binaries (e.g. `/usr/lib/postgresql/17/bin`). */
  binDir?: string | undefined
  /** Where clusters live; default `/dev/shm/dsta-db` when `/dev/shm` exists, else the OS temp folder. */
  baseDir?: string | undefined
  /** TCP port on 127.0.0.1; default a free one. */
  port?: number | undefined
  /**
   * Start from the snapshot of this name (saved by an earlier run's `saveSnapshotOnStop`) when it
   * exists, else from the bare cluster. The Vitest plugin names it after the template's hash.
   */
  snapshot?: string | undefined
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number> | undefined
}

export interface StartOptions extends EmbeddedOptions {
  /** `auto` (default): external when an address is configured, else embedded. Container only when asked for. */
  provider?: 'auto' | ProviderName | undefined
  /** For `external`: the address; default `DATABASE_URL` or the `DB_HOST / DB_PORT / DB_NAME / DB_USER / DB_PASSWORD` variables. */
  url?: string | undefined
  /**
   * For `container`: the image; default `DSTA_DB_IMAGE`, else `postgres:<major of the embedded
   * binaries>-alpine`. `snapshot`, `settings` and `port` apply to it too.
   */
  image?: string | undefined
  /** Environment to read addresses from; default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined
}
