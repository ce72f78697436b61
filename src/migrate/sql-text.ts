import { MigrationError } from './errors.js'
import { discoverMigrations, displayPath, findTarget } from './files.js'
import type { MigrationFile, SourceOptions } from './types.js'

/** The SQL the runner sends for one file, framed as it runs: in `BEGIN … COMMIT`, or statement by statement. */
export function stepSql(file: MigrationFile, direction: 'up' | 'down'): string {
  const path = direction === 'up' ? file.upPath : file.downPath
  const text = direction === 'up' ? file.upSql : file.downSql
  if (path === undefined || text === undefined)
    throw new MigrationError(
      'NO_DOWN',
      `${file.name} has no down file: write ${file.name}.down.sql beside the up file`,
      {
        file: file.upPath,
      },
    )
  const body = text.endsWith('\n') ? text : `${text}\n`
  const noTransaction = direction === 'up' ? file.noTransaction : file.downNoTransaction
  const header = `-- ${file.name}: ${direction} (${displayPath(path)})\n`
  if (noTransaction) return `${header}-- runs outside a transaction, one statement at a time\n${body}`
  return `${header}BEGIN;\n${body}COMMIT;\n`
}

/**
 * The SQL a migration would run, like Django's `sqlmigrate`: `target` is a name (`0001_initial`)
 * or a version (`0001`). Reads files only; needs no database.
 */
export async function migrationSql(
  target: string,
  options: SourceOptions & { direction?: 'up' | 'down' } = {},
): Promise<string> {
  const files = await discoverMigrations(options)
  const file = findTarget(files, target)
  if (!file)
    throw new MigrationError(
      'UNKNOWN_TARGET',
      `unknown migration "${target}": use a name or a version. Known: ${files.map((f) => f.name).join(', ') || 'none'}`,
    )
  return stepSql(file, options.direction ?? 'up')
}
