import { readFile } from 'node:fs/promises'
import type { Isolation } from './options.js'

const MARK = /^\s*(?:\/\/|\/?\*+)\s*@dsta-isolation\s+(\S+)/m

/** A file's isolation: its `// @dsta-isolation database|transaction` comment (in its first lines), else the default. */
export async function fileIsolation(path: string, fallback: Isolation): Promise<Isolation> {
  return isolationOf(await readFile(path, 'utf8'), path, fallback)
}

/** `fileIsolation` over the file's text, already read. */
export function isolationOf(text: string, path: string, fallback: Isolation): Isolation {
  const head = text.slice(0, 4000)
  const match = MARK.exec(head)
  if (!match) return fallback
  const value = match[1]
  if (value === 'transaction' || value === 'database') return value
  const line = head.slice(0, match.index + match[0].indexOf('@')).split('\n').length
  throw new Error(`${path}:${line}: @dsta-isolation must be "transaction" or "database", got "${value}"`)
}
