import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { loadFixture, SAMPLE_DATA_FILE } from '../fixtures/index.js'
import { generateTestData } from '../generate/index.js'
import { hashParts, type TemplateRecipe } from '../isolation/template.js'
import { DEFAULT_MIGRATIONS_DIR, migrate, migrationsHash } from '../migrate/index.js'
import { createDstaPool } from '../schema/index.js'
import type { DstaDbOptions } from './options.js'

/** The user's own migration folders, resolved against the project root (the DSTA schema comes first, always). */
export function userMigrationDirs(options: DstaDbOptions, root: string): string[] {
  return (options.migrations ?? []).map((dir) => resolve(root, dir))
}

/** Every folder whose files shape the template (watched in watch mode). */
export function migrationDirs(options: DstaDbOptions, root: string): string[] {
  return [DEFAULT_MIGRATIONS_DIR, ...userMigrationDirs(options, root)]
}

/**
 * What goes into the template, and its hash: the migration files, the runner's code and the toolkit's
 * version (both in `migrationsHash`), and the data baked in. Change any of them and the template gets
 * a new name, hence a rebuild.
 */
export async function templateRecipe(options: DstaDbOptions, root: string): Promise<TemplateRecipe> {
  const dirs = userMigrationDirs(options, root)
  const sampleFile = sampleDataFile(options, root)
  const hash = hashParts({
    migrations: await migrationsHash({ dirs }),
    testData: JSON.stringify(options.testData ?? null),
    sampleData: sampleFile ? await readFile(sampleFile, 'utf8') : '',
  })
  return {
    hash,
    async build(url) {
      await migrate(url, { dirs })
      if (!options.testData && !sampleFile) return
      const pool = await createDstaPool(url, { statementTimeout: 'DISABLE_TIMEOUT', queryRetryLimit: 0 })
      try {
        if (sampleFile) await loadFixture(pool, sampleFile)
        if (options.testData) await generateTestData(pool, options.testData)
      } finally {
        await pool.end()
      }
    },
  }
}

function sampleDataFile(options: DstaDbOptions, root: string): string | undefined {
  if (!options.sampleData) return undefined
  return options.sampleData === true ? SAMPLE_DATA_FILE : resolve(root, options.sampleData)
}
