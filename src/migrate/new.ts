import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { MigrationError } from './errors.js'
import { DEFAULT_MIGRATIONS_DIR } from './files.js'

export interface NewMigration {
  version: number
  name: string
  upPath: string
  downPath: string
}

/**
 * Creates `NNNN_name.up.sql` and `.down.sql` in `dir` (default `./sql` of the working folder), with
 * the next version after every file of `dir` and of the DSTA schema, since versions are shared by
 * all folders that are applied together.
 */
export async function newMigration(name: string, options: { dir?: string } = {}): Promise<NewMigration> {
  if (/^[a-z][a-z0-9_]*$/.test(name) && name.length > 63)
    throw new MigrationError(
      'BAD_OPTION',
      `migration name "${name.slice(0, 20)}…" is ${name.length} characters long: keep it to 63 or fewer`,
    )
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name))
    throw new MigrationError(
      'BAD_OPTION',
      `migration name "${name}" must be lower-case snake case: a letter, then letters, digits or _ (e.g. add_trade_side)`,
    )
  const dir = resolve(options.dir ?? 'sql')
  await mkdir(dir, { recursive: true })
  const latest = Math.max(0, ...(await versionsIn(dir)), ...(await versionsIn(DEFAULT_MIGRATIONS_DIR)))
  const version = latest + 1
  const fullName = `${String(version).padStart(4, '0')}_${name}`
  const upPath = join(dir, `${fullName}.up.sql`)
  const downPath = join(dir, `${fullName}.down.sql`)
  // 'wx' refuses to overwrite: two people creating the same number at once get an error, not a lost file.
  await writeFile(upPath, `-- ${fullName}: what this migration changes, and why.\n\n`, { flag: 'wx' })
  await writeFile(downPath, `-- Undoes ${fullName}: leave the schema exactly as before the up file.\n\n`, {
    flag: 'wx',
  })
  return { version, name: fullName, upPath, downPath }
}

async function versionsIn(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[])
  return names.flatMap((file) => {
    const match = /^(\d+)_.*\.(up|down)\.sql$/.exec(file)
    return match ? [Number(match[1])] : []
  })
}
