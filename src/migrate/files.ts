import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { DEFAULT_MIGRATIONS_DIR } from './default-dir.js'
import { MigrationError } from './errors.js'
import type { MigrationFile, SourceOptions } from './types.js'

// This package's `sql/` folder (`../../sql` from both `src/migrate/` and `dist/migrate/`).
export { DEFAULT_MIGRATIONS_DIR }

const FILE_NAME = /^(\d+)_([a-z0-9_]+)\.(up|down)\.sql$/
const NO_TRANSACTION = /^[ \t]*--[ \t]*dsta:no-transaction[ \t]*$/m

/** Accepts the lead's short form `(dirs)` as well as the options object every other function takes. */
export function sourceOptions(source: string[] | SourceOptions = {}): SourceOptions {
  return Array.isArray(source) ? { dirs: source } : source
}

/** The folders to read, the DSTA schema first, each once. */
export function migrationDirs(source: string[] | SourceOptions = {}): string[] {
  const { dirs = [], dstaSchema = true } = sourceOptions(source)
  const all = [...(dstaSchema ? [DEFAULT_MIGRATIONS_DIR] : []), ...dirs].map((dir) => resolve(dir))
  return [...new Set(all)]
}

/** A path as the user would type it: relative to the working folder when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/**
 * Reads every `NNNN_name.up.sql` / `.down.sql` of the folders, ordered by version. Versions are
 * global across folders: two files with one version (in one folder or two) are an error naming both.
 */
export async function discoverMigrations(source: string[] | SourceOptions = {}): Promise<MigrationFile[]> {
  const byVersion = new Map<number, MigrationFile>()
  for (const dir of migrationDirs(source)) {
    for (const file of await readFolder(dir)) {
      const other = byVersion.get(file.version)
      if (other)
        throw new MigrationError(
          'DUPLICATE_VERSION',
          `two migrations have version ${file.version}: ${displayPath(other.upPath)} and ${displayPath(file.upPath)}. ` +
            'Versions are shared by all migration folders: renumber one of them (e.g. start your own folder at 1000).',
          { file: file.upPath },
        )
      byVersion.set(file.version, file)
    }
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version)
}

async function readFolder(dir: string): Promise<MigrationFile[]> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort()
  } catch (error) {
    throw new MigrationError(
      'BAD_FILE',
      `cannot read the migrations folder ${displayPath(dir)}: ${
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'it does not exist'
          : (error as NodeJS.ErrnoException).code === 'ENOTDIR'
            ? 'it is a file, not a folder'
            : String(error)
      }`,
      {
        file: dir,
        cause: error,
      },
    )
  }
  const ups = new Map<string, { version: number; path: string }>()
  const downs = new Map<string, string>()
  for (const fileName of names) {
    const match = FILE_NAME.exec(fileName)
    if (!match)
      throw new MigrationError(
        'BAD_FILE',
        `${displayPath(join(dir, fileName))}: a migration file is named NNNN_name.up.sql or NNNN_name.down.sql ` +
          '(digits, an underscore, lower-case letters, digits and underscores)',
        { file: join(dir, fileName) },
      )
    const [, digits = '', label = '', direction] = match
    const name = `${digits}_${label}`
    if (direction === 'up') ups.set(name, { version: Number(digits), path: join(dir, fileName) })
    else downs.set(name, join(dir, fileName))
  }
  for (const [name, path] of downs)
    if (!ups.has(name))
      throw new MigrationError('BAD_FILE', `${displayPath(path)} has no ${name}.up.sql beside it`, {
        file: path,
      })
  const files: MigrationFile[] = []
  for (const [name, { version, path }] of ups) {
    const bytes = await readFile(path)
    const downPath = downs.get(name)
    const downSql = downPath === undefined ? undefined : await readFile(downPath, 'utf8')
    const upSql = bytes.toString('utf8')
    files.push({
      version,
      name,
      dir,
      upPath: path,
      upSql,
      checksum: sha256(bytes),
      noTransaction: NO_TRANSACTION.test(upSql),
      downNoTransaction: downSql !== undefined && NO_TRANSACTION.test(downSql),
      ...(downPath === undefined ? {} : { downPath, downSql }),
    })
  }
  return files
}

/** Finds a migration by `zero`-less target: a full name (`0001_initial`) or a version (`0001`, `1`). */
export function findTarget(files: MigrationFile[], target: string): MigrationFile | undefined {
  if (/^\d+$/.test(target)) return files.find((file) => file.version === Number(target))
  return files.find((file) => file.name === target)
}
