import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hashParts, type TemplateRecipe } from '../isolation/template.js'
import { migrationsHash } from '../migrate/hash.js'
import { userMigrationDirs } from './dirs.js'
import type { DstaDbOptions } from './options.js'

export { migrationDirs, userMigrationDirs } from './dirs.js'

// The fixture path without loading the fixture loader (and Slonik, zod) in the main process.
const SAMPLE_DATA_FILE = fileURLToPath(new URL('../../fixtures/sample_data.json', import.meta.url))

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
    // Only a missing template needs the runner, the generators and Slonik: loaded then, not on every run.
    async build(url) {
      const [{ migrate }, { loadFixture }, { generateTestData }, { createDstaPool }] = await Promise.all([
        import('../migrate/index.js'),
        import('../fixtures/index.js'),
        import('../generate/index.js'),
        import('../schema/index.js'),
      ])
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
