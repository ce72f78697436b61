import { availableParallelism } from 'node:os'
import type pg from 'pg'
import type { TestProject } from 'vitest/node'
import { connectAdmin } from '../isolation/admin.js'
import { checkConnectionBudget } from '../isolation/budget.js'
import { ClonePool } from '../isolation/clones.js'
import { goneReason } from '../isolation/gone.js'
import { RunLease } from '../isolation/runs.js'
import { ensureTemplate, type TemplateRecipe, templateName } from '../isolation/template.js'
import { redact } from '../server/external.js'
import { startPostgres } from '../server/index.js'
import type { StartedPostgres } from '../server/types.js'
import { checkOptionsAtStart } from './check-start.js'
import { KEPT_SNAPSHOT, listKept, projectKey, pruneKept } from './kept.js'
import type { DstaDbOptions, DstaRunContext } from './options.js'
import { templateRecipe } from './recipe.js'
import { resolveBaseSeed } from './seed.js'

interface SharedServer {
  started: Promise<StartedPostgres>
  users: number
  announced: boolean
  /** Why the server went away mid-run, once it did (said once, whatever the number of projects). */
  gone?: string
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
  await checkOptionsAtStart(options, root)
  const baseSeed = resolveBaseSeed(options.seed)
  // The embedded server starts from a snapshot saved by an earlier run with the same template
  // already built in it: a warm start skips the migrations altogether.
  const recipe = await templateRecipe(options, root)
  const snapshot = recipe.hash.slice(0, 16)
  const sharedServer = acquireServer(options, snapshot)
  const server = await sharedServer.started.catch(async (error) => {
    await releaseServer(sharedServer).catch(() => {})
    throw error
  })
  const projectId = projectKey(root)
  const onShared = server.provider === 'external' // other runs, other projects may use it too
  const lease = await RunLease.acquire(server.url).catch(async (error) => {
    await releaseServer(sharedServer).catch(() => {})
    throw error
  })
  const runId = lease.runId
  // External servers outlive the run; the embedded one is saved as a snapshot when it kept something.
  const keepFailed = server.provider === 'container' ? 0 : (options.keepFailed ?? 3)
  let current: Awaited<ReturnType<typeof prepare>>
  try {
    await checkConnectionBudget(lease.client, workerCount(project))
    if (onShared) {
      const swept = await lease.sweepDeadRuns()
      if (swept.length > 0)
        console.log(`dsta-db: dropped ${swept.length} database(s) of runs that died: ${swept.join(', ')}`)
    }
    // The clone pool's own connection opens meanwhile: the checks below run on the lease's.
    const clonesClient = connectAdmin(server.url)
    try {
      if (keepFailed > 0) await pruneKept(lease.client, keepFailed, projectId)
      current = await prepare(recipe, clonesClient)
    } catch (error) {
      await clonesClient.then((client) => client.end()).catch(() => {})
      throw error
    }
    if (onShared) {
      const pruned = await lease.pruneTemplates(projectId)
      if (pruned.length > 0)
        console.log(
          `dsta-db: dropped ${pruned.length} template(s) this project no longer uses: ${pruned.join(', ')}`,
        )
    }
  } catch (error) {
    await lease.release()
    await releaseServer(sharedServer).catch(() => {})
    throw error
  }
  if (current.built) server.saveSnapshotOnStop?.(snapshot)
  // The server dying mid-run: one line, and the run stops instead of failing every test it has left.
  const stopRun = (reason: string) => {
    if (sharedServer.gone) return
    sharedServer.gone = reason
    console.error(
      `dsta-db: the PostgreSQL server at ${redact(server.url)} is gone (${reason}); the run stops, and the tests running now fail with it.`,
    )
    process.exitCode = 1
    project.vitest.cancelCurrentRun('dsta-db: the PostgreSQL server is gone' as never).catch(() => {})
  }
  server.onUnexpectedExit?.(stopRun)
  lease.onLost((error) => stopRun(goneReason(error)))
  if (!sharedServer.announced) {
    sharedServer.announced = true
    console.log(
      `dsta-db: seed ${baseSeed} (DSTA_SEED to change) · PostgreSQL ${server.version} ${server.provider} · ` +
        `template ${current.context.template}${current.built ? ' built' : ' reused'}`,
    )
  }

  async function prepare(recipe: TemplateRecipe, clonesClient?: Promise<pg.Client>) {
    await lease.holdTemplate(templateName(recipe.hash)) // before it is looked for: no pruner drops it now
    const template = await ensureTemplate(server.url, recipe, lease.client)
    if (onShared) await lease.recordUse(template.name, projectId)
    const context: DstaRunContext = {
      serverUrl: server.url,
      socketDir: server.socketDir,
      provider: server.provider,
      template: template.name,
      runId,
      baseSeed,
      isolation: options.isolation ?? 'transaction',
      root,
      keepFailed,
      project: projectId,
    }
    // Its own connection: the pool's statements run in the background, the lease's in this code's order.
    const clones = await ClonePool.start(
      clonesClient ? await clonesClient : server.url,
      {
        runId,
        template: template.name,
        workers: workerCount(project),
        spares: options.readyClones ?? 2,
        maxDatabases: options.maxDatabases ?? 64,
        // Files marked `// @dsta-isolation database` in a transaction run: the first one claims a
        // clone of its own (≈ 12 ms), and the spares are made from then on.
        sparesUpFront: context.isolation === 'database',
      },
      true,
    )
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
    if (sharedServer.gone) {
      await current.clones.close(undefined, false).catch(() => {})
      await lease.release()
      return releaseServer(sharedServer).catch(() => {})
    }
    const kept =
      server.provider === 'embedded' && keepFailed > 0 ? await listKept(lease.client, projectId) : []
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
    const serverGoes = server.provider !== 'external' && sharedServer.users === 1 && !saving
    await current.clones.close(undefined, !serverGoes)
    await lease.release()
    await releaseServer(sharedServer)
  }
}
