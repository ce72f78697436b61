import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type pg from 'pg'
import { databasesLike, dropDatabase, startsWith, withAdminClient } from '../isolation/admin.js'
import { DSTA_PREFIX } from '../isolation/names.js'

const KEPT_PREFIX = `${DSTA_PREFIX}keep_`

/**
 * The embedded server ends with the run: when a run kept failed databases, its data folder is saved
 * as this snapshot (replacing the last one), and `dsta-db up --snapshot kept` serves them again.
 */
export const KEPT_SNAPSHOT = 'kept'

/**
 * A short key of the project, in the names of its kept databases and its templates' use records, so
 * that on a shared server a project prunes only its own: its package name (the same on every CI
 * machine and checkout), else its root folder.
 */
export function projectKey(root: string): string {
  let identity = `root:${root}`
  try {
    const name = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name
    if (typeof name === 'string' && name) identity = `package:${name}`
  } catch {
    // no package.json: the folder names the project
  }
  return createHash('sha256').update(identity).digest('hex').slice(0, 6)
}

function projectPrefix(project: string): string {
  return `${KEPT_PREFIX}${project}_`
}

/** `dsta_keep_<project>_<time>_<file>`: sorting a project's names by name sorts them by age. */
export function keptName(file: string, project: string, now = Date.now()): string {
  const slug = file
    .replace(/\.[cm]?[jt]sx?$/, '')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .slice(-32)
  return `${projectPrefix(project)}${now.toString(36).padStart(9, '0')}_${slug}`.toLowerCase()
}

/** The project's kept databases on the server, oldest first. */
export async function listKept(server: string | pg.Client, project: string): Promise<string[]> {
  return withAdminClient(server, (client) => databasesLike(client, startsWith(projectPrefix(project))))
}

/** Drops the project's kept databases beyond its newest `max`; other projects' are not looked at. */
export async function pruneKept(server: string | pg.Client, max: number, project: string): Promise<void> {
  await withAdminClient(server, async (client) => {
    const kept = await databasesLike(client, startsWith(projectPrefix(project)))
    for (const name of kept.slice(0, Math.max(0, kept.length - max))) await dropDatabase(client, name)
  })
}
