import { extname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vitest/config' // Vite's type, through Vitest: no `vite` import of our own
import { migrationDirs } from './dirs.js'
import { checkOptions, type DstaDbOptions } from './options.js'
import { checkVitestVersion } from './version.js'

/** A sibling module of this one: `.ts` when we run from sources (our own repo), `.js` from the package. */
function sibling(name: string): string {
  const self = fileURLToPath(import.meta.url)
  return resolve(self, '..', `${name}${extname(self)}`)
}

/**
 * The Vitest plugin: `plugins: [dstaDb()]` is the whole set-up. It adds its global setup (server,
 * template, clones) and its per-file setup to the user's own, and re-runs tests in watch mode when a
 * migration file changes.
 */
export function dstaDb(options: DstaDbOptions = {}): Plugin {
  checkOptions(options)
  return {
    name: 'dsta-db',
    // Vitest ≥ 3.1 calls this with the running Vitest; earlier ones never do, and fail on `test.extend`.
    configureVitest({ vitest }: { vitest: { version: string } }) {
      checkVitestVersion(vitest.version)
    },
    config(config) {
      const root = resolve(config.root ?? process.cwd())
      return {
        test: {
          globalSetup: [sibling('global-setup')],
          setupFiles: [sibling('setup-file')],
          provide: { dstaDbOptions: options },
          forceRerunTriggers: [
            ...(config.test?.forceRerunTriggers ?? ['**/package.json/**', '**/{vitest,vite}.config.*/**']),
            ...migrationDirs(options, root).map((dir) => `${dir}/**/*.sql`),
          ],
        },
      }
    },
  }
}
