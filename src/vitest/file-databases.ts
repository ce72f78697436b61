import type { DatabasePool } from 'slonik'

// The test files that have a database of their own (`database` isolation), by path. A module of its
// own that imports nothing: every file's fixtures ask it, and only `database` files load file-state.ts
// (which opens and drops them) and its admin and clone modules.

/** A file in `database` isolation: its own clone, `DATABASE_URL` pointing at it, a Slonik pool on first use. */
export interface FileDatabase {
  name: string
  url: string
  /** The file's Slonik pool (`db`, `fileDb`), opened by the first call: a file using only `pool` never loads Slonik. */
  slonik(): Promise<DatabasePool>
  failed: boolean
  previousUrl: string | undefined
  opened?: Promise<DatabasePool> | undefined
}

// The setup file and the test file may load this module twice; the registry lives on globalThis.
const KEY = Symbol.for('dsta-db.files')
const store = globalThis as { [KEY]?: Map<string, FileDatabase> }
store[KEY] ??= new Map()
const files = store[KEY]

/** The file's own database, or undefined when the file runs in a transaction. */
export function fileDatabase(path: string): FileDatabase | undefined {
  return files.get(path)
}

export function registerFileDatabase(path: string, file: FileDatabase): void {
  files.set(path, file)
}

/** Takes the file's database out of the registry and returns it (undefined if it had none). */
export function takeFileDatabase(path: string): FileDatabase | undefined {
  const file = files.get(path)
  files.delete(path)
  return file
}
