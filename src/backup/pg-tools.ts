import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { redact } from '../server/address.js'

/** A pg_dump or pg_restore binary and its major version. */
export interface PgTool {
  path: string
  major: number
  version: string
}

/**
 * A `pg_dump` / `pg_restore` that can work with a server of `serverMajor`: the same major, else a
 * newer one (both read older servers; an older one refuses a newer server). Looked for in `binDir`,
 * then Debian's `/usr/lib/postgresql/<major>/bin`, then the PATH. The npm binaries have neither.
 */
export async function findPgTool(
  name: 'pg_dump' | 'pg_restore',
  serverMajor: number,
  binDir?: string,
): Promise<PgTool | undefined> {
  const candidates = [
    ...(binDir ? [join(binDir, name)] : []),
    ...debianDirs().map((dir) => join(dir, name)),
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, name)),
  ].filter((path, index, all) => all.indexOf(path) === index && existsSync(path))
  const found: PgTool[] = []
  for (const path of candidates) {
    const output = await run(path, ['--version']).catch(() => '')
    const version = /\(PostgreSQL\)\s+(\d+)(\.\d+)?/.exec(output)
    if (version) found.push({ path, major: Number(version[1]), version: `${version[1]}${version[2] ?? ''}` })
  }
  const usable = found.filter((tool) => tool.major >= serverMajor).sort((a, b) => a.major - b.major)
  return usable[0]
}

function debianDirs(): string[] {
  const root = '/usr/lib/postgresql'
  try {
    return readdirSync(root)
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a))
      .map((entry) => join(root, entry, 'bin'))
  } catch {
    return []
  }
}

/**
 * The address without its password, and the password for PGPASSWORD: a password in the arguments
 * would show in `ps` to every user of the machine.
 */
export function splitPassword(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url)
  const password = decodeURIComponent(parsed.password)
  parsed.password = ''
  return { url: parsed.toString(), env: password ? { ...process.env, PGPASSWORD: password } : process.env }
}

/** Runs a tool; resolves with its standard output, rejects with its standard error (address masked). */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk) => {
      err += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'))
      else reject(new Error(`${command.split('/').at(-1)} failed (exit ${code}): ${redact(err.trim())}`))
    })
  })
}
