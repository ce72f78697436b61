import { randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import type { TestProject } from 'vitest/node'
import { ClonePool } from '../isolation/clones.js'
import { ensureTemplate, type TemplateRecipe, templateName } from '../isolation/template.js'
import { startPostgres } from '../server/index.js'
import type { StartedPostgres } from '../server/types.js'
import { KEPT_SNAPSHOT, listKept, pruneKept } from './kept.js'
import type { DstaDbOptions, DstaRunContext } from './options.js'
import { templateRecipe } from './recipe.js'
import { resolveBaseSeed } from './seed.js'

interface SharedServer {
  started: Promise<StartedPostgres>
  users: number
  announced: boolean
}

// Projects of one `projects` config each run this file; they share one server through this slot.
const SHARED = Symbol.for('dsta-db.server')
const store = globalThis as { [SHARED]?: SharedServer }

function acquireServer(options: DstaDbOptions, snapshot: string): SharedServer {
  store[SHARED] ??= {
    started: startPostgres({
      provider: options.provider,
      binDir: options.binDir,
      image: options.image,
      snapshot,
    }),
    users: 0,
    announced: false,
  }
  store[SHARED].users++
  return store[SHARED]
}

async function releaseServer(shared: SharedServer) {
  if (--shared.users > 0) return
  delete store[SHARED]
  await (await shared.started).stop()
}

/**
 * How many worker slots Vitest will use, as Vitest itself resolves it: the project's setting, the
 * run's, else its default from the cores. Vitest 4 leaves `project.config.maxWorkers` unset here.
 */
function workerCount(project: TestProject): number {
  const configured = project.config.maxWorkers || project.vitest.config.maxWorkers
  if (configured) return Math.max(1, configured)
  const cores = availableParallelism()
  return project.vitest.config.watch ? Math.max(Math.floor(cores / 2), 1) : Math.max(cores - 1, 1)
}

/**
 * Vitest's global setup, wired by `dstaDb()`: starts PostgreSQL once per run (kept across watch
 * re-runs), builds or reuses the template, prepares clones in the background and provides the
 * addresses and the seed to the workers.
 */
export default async function setup(project: TestProject) {
  const options = project.getProvidedContext().dstaDbOptions ?? {}
  const root = project.config.root
  const baseSeed = resolveBaseSeed(options.seed)
  // The embedded server starts from a snapshot saved by an earlier run with the same template
  // already built in it: a warm start skips the migrations altogether.
  const recipe = await templateRecipe(options, root)
  const snapshot = recipe.hash.slice(0, 16)
  const shared = acquireServer(options, snapshot)
  const server = await shared.started.catch(async (error) => {
    await releaseServer(shared).catch(() => {})
    throw error
  })
  const runId = randomBytes(3).toString('hex')
  // External servers outlive the run; the embedded one is saved as a snapshot when it kept something.
  const keepFailed = server.provider === 'container' ? 0 : (options.keepFailed ?? 3)
  if (keepFailed > 0) await pruneKept(server.url, keepFailed)

  let current = await prepare(recipe)
  if (current.built) server.saveSnapshotOnStop?.(snapshot)
  if (!shared.announced) {
    shared.announced = true
    console.log(
      `dsta-db: seed ${baseSeed} (DSTA_SEED to change) · PostgreSQL ${server.version} ${server.provider} · ` +
        `template ${current.context.template}${current.built ? ' built' : ' reused'}`,
    )
  }

  async function prepare(recipe: TemplateRecipe) {
    const template = await ensureTemplate(server.url, recipe)
    const context: DstaRunContext = {
      serverUrl: server.url,
      provider: server.provider,
      template: template.name,
      runId,
      baseSeed,
      isolation: options.isolation ?? 'transaction',
      root,
      keepFailed,
    }
    const clones = await ClonePool.start(server.url, {
      runId,
      template: template.name,
      workers: workerCount(project),
      spares: options.readyClones ?? 2,
      maxDatabases: options.maxDatabases ?? 64,
    })
    project.provide('dstaDb', context)
    return { context, clones, built: template.built }
  }

  // Watch mode: a changed migration file means a new hash, hence a new template and fresh clones.
  project.onTestsRerun(async () => {
    const changed = await templateRecipe(options, root)
    if (templateName(changed.hash) === current.context.template) return
    try {
      const next = await prepare(changed) // the old clones stay until the new template stands
      await current.clones.close()
      current = next
      // The next run, with the changed files, will look for a snapshot named after the new hash.
      if (next.built) server.saveSnapshotOnStop?.(changed.hash.slice(0, 16))
      console.log(`dsta-db: migrations changed, template ${current.context.template} built`)
    } catch (error) {
      project.provide('dstaDb', current.context) // keep running on the last good template
      console.error(
        `dsta-db: migrations changed but the new template failed; still on the last one.\n${error}`,
      )
    }
  })

  return async () => {
    const kept = server.provider === 'embedded' && keepFailed > 0 ? await listKept(server.url) : []
    if (kept.length > 0) {
      server.saveSnapshotOnStop?.(KEPT_SNAPSHOT, { replace: true }) // over the template's: this matters more
      console.warn(
        `dsta-db: ${kept.length} failed database(s) kept (${kept.join(', ')}). ` +
          `\`npx dsta-db up --snapshot ${KEPT_SNAPSHOT}\` serves them again and prints their addresses.`,
      )
    }
    // An embedded server or a container this run alone uses is removed with its data at stop:
    // dropping its clones one by one first would only delay the exit. Not when a snapshot of it is
    // about to be saved.
    const saving = current.built || kept.length > 0
    const serverGoes = server.provider !== 'external' && shared.users === 1 && !saving
    await current.clones.close(undefined, !serverGoes)
    await releaseServer(shared)
  }
}
