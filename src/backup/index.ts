import { open } from 'node:fs/promises'
import { type BackupOptions, type BackupResult, writeArchive } from './backup.js'
import { connectTo } from './connect.js'
import { ArchiveError, GZIP_MAGIC, PGDMP_MAGIC } from './format.js'
import { findPgTool } from './pg-tools.js'
import { pgDumpBackup, pgRestore } from './pgdump.js'
import { type RestoreOptions, type RestoreResult, restoreArchive } from './restore.js'

export { ArchiveError } from './format.js'
export type { BackupOptions, RestoreOptions }

export interface BackupDatabaseOptions extends BackupOptions {
  /**
   * `dsta` (an archive of binary COPY per table plus the migration history, any server),
   * `pg_dump` (`pg_dump -Fc`, needs one that can read the server), or `auto` (default): pg_dump
   * when one is found, else dsta.
   */
  format?: 'auto' | 'dsta' | 'pg_dump'
  /** A folder with pg_dump / pg_restore to try first. */
  pgBinDir?: string
}

export type BackupDatabaseResult =
  | (BackupResult & { format: 'dsta' })
  | { format: 'pg_dump'; file: string; bytes: number; tool: string }

/** Backs up the database at `url` into `file` (see `format`). The file appears whole or not at all. */
export async function backup(
  url: string,
  file: string,
  options: BackupDatabaseOptions = {},
): Promise<BackupDatabaseResult> {
  const format = options.format ?? 'auto'
  if (format !== 'dsta') {
    const tool = await findPgTool('pg_dump', await serverMajor(url), options.pgBinDir)
    if (tool) {
      const done = await pgDumpBackup(url, file, tool, options.compression)
      return { format: 'pg_dump', ...done, tool: `pg_dump ${tool.version}` }
    }
    if (format === 'pg_dump')
      throw new ArchiveError(
        `no pg_dump that can read this server (major ${await serverMajor(url)}): install the client of that version, pass its folder with --pg-bin-dir, or use --format dsta`,
      )
  }
  return { format: 'dsta', ...(await writeArchive(url, file, options)) }
}

export interface RestoreDatabaseOptions extends RestoreOptions {
  pgBinDir?: string
}

export type RestoreDatabaseResult =
  | (RestoreResult & { format: 'dsta' })
  | { format: 'pg_dump'; schema: 'migrated' | 'checked'; tool: string }

/** Restores `file` (a dsta archive or a `pg_dump -Fc` one, told apart by their first bytes) into `url`, all or nothing. */
export async function restore(
  url: string,
  file: string,
  options: RestoreDatabaseOptions = {},
): Promise<RestoreDatabaseResult> {
  const head = await firstBytes(file)
  if (head.subarray(0, PGDMP_MAGIC.length).equals(PGDMP_MAGIC)) {
    if (options.clean)
      throw new ArchiveError(
        '--clean works with dsta-db archives only: empty the tables with `dsta-db flush --yes` first',
      )
    const major = await serverMajor(url)
    const tool = await findPgTool('pg_restore', major, options.pgBinDir)
    if (!tool)
      throw new ArchiveError(
        `${file} was made by pg_dump, and no pg_restore for this server (major ${major}) was found: pass its folder with --pg-bin-dir`,
      )
    return { format: 'pg_dump', ...(await pgRestore(url, file, tool)), tool: `pg_restore ${tool.version}` }
  }
  if (!head.subarray(0, 2).equals(GZIP_MAGIC))
    throw new ArchiveError(`${file} is neither a dsta-db archive nor a pg_dump custom-format one (-Fc)`)
  return { format: 'dsta', ...(await restoreArchive(url, file, options)) }
}

async function firstBytes(file: string): Promise<Buffer> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ArchiveError(
      `cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.code === 'EISDIR' ? 'it is a folder' : error.message}`,
    )
  })
  try {
    const buffer = Buffer.alloc(8)
    const { bytesRead } = await handle.read(buffer, 0, 8, 0).catch((error: NodeJS.ErrnoException) => {
      throw new ArchiveError(
        `cannot read ${file}: ${error.code === 'EISDIR' ? 'it is a folder' : error.message}`,
      )
    })
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

async function serverMajor(url: string): Promise<number> {
  const client = await connectTo(url)
  try {
    const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)
    return Math.floor(Number(rows[0]?.v) / 10000)
  } finally {
    await client.end().catch(() => {})
  }
}
