import { resolve } from 'node:path'
import { DEFAULT_MIGRATIONS_DIR } from '../migrate/default-dir.js'
import type { DstaDbOptions } from './options.js'

/** The user's own migration folders, resolved against the project root (the DSTA schema comes first, always). */
export function userMigrationDirs(options: DstaDbOptions, root: string): string[] {
  return (options.migrations ?? []).map((dir) => resolve(root, dir))
}

/** Every folder whose files shape the template (watched in watch mode). */
export function migrationDirs(options: DstaDbOptions, root: string): string[] {
  return [DEFAULT_MIGRATIONS_DIR, ...userMigrationDirs(options, root)]
}
