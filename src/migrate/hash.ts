import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { discoverMigrations, sha256 } from './files.js'
import type { SourceOptions } from './types.js'

const RUNNER_DIR = fileURLToPath(new URL('.', import.meta.url))
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url))

/**
 * One SHA-256 over everything that decides what a migrated database holds: each migration's name,
 * up and down text, and also the toolkit's version and the runner's own code. A template database
 * named after it is rebuilt when the runner changes, not only the files (pgtestdb once kept a stale
 * template that hid a broken migrator because its hash covered the files alone).
 */
export async function migrationsHash(source: string[] | SourceOptions = {}): Promise<string> {
  const parts = [`dsta-db ${await packageVersion()}`, `runner ${await runnerHash()}`]
  for (const file of await discoverMigrations(source))
    parts.push(
      `${file.name} ${file.checksum} ${sha256(file.downSql ?? '')} ${file.noTransaction} ${file.downNoTransaction}`,
    )
  return sha256(parts.join('\n'))
}

export async function packageVersion(): Promise<string> {
  return (JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { version: string }).version
}

/** Hash of this folder's code (`.ts` from the sources, `.js` once built); type declarations and maps aside. */
async function runnerHash(): Promise<string> {
  const names = (await readdir(RUNNER_DIR))
    .filter((name) => /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts'))
    .sort()
  const hashes = await Promise.all(
    names.map(async (name) => `${name} ${sha256(await readFile(RUNNER_DIR + name))}`),
  )
  return sha256(hashes.join('\n'))
}
