import { relative } from 'node:path'
import type { DatabasePool } from 'slonik'
import { dropDatabase, quoteIdent } from '../isolation/admin.js'
import { claimClone } from '../isolation/clones.js'
import { asServerGone } from '../isolation/gone.js'
import { databaseUrl, fileCloneName } from '../isolation/names.js'
import { redact } from '../server/external.js'
import { type FileDatabase, registerFileDatabase, takeFileDatabase } from './file-databases.js'
import { KEPT_SNAPSHOT, keptName, pruneKept } from './kept.js'
import type { DstaRunContext } from './options.js'
import { adminClient } from './worker.js'

/**
 * Test pools (Slonik): a test may sit between queries for long, and a retried statement would hide
 * the first failure; Slonik's 60 s timeouts and 5 retries are for services, not for tests.
 */
async function openTestPool(url: string): Promise<DatabasePool> {
  const { createDstaPool } = await import('../schema/pool.js')
  return createDstaPool(url, {
    maximumPoolSize: 4,
    idleTimeout: 'DISABLE_TIMEOUT',
    idleInTransactionSessionTimeout: 'DISABLE_TIMEOUT',
    statementTimeout: 'DISABLE_TIMEOUT',
    queryRetryLimit: 0,
    transactionRetryLimit: 0,
  })
}

let counter = 0

export { fileIsolation } from './isolation-mark.js'

/** Gives the file a fresh clone (a ready spare when there is one) and points `DATABASE_URL` at it. */
export async function openFileDatabase(context: DstaRunContext, path: string): Promise<FileDatabase> {
  const name = fileCloneName(context, `${process.pid.toString(36)}x${(++counter).toString(36)}`)
  await claimClone(await adminClient(context), context, name)
  const url = databaseUrl(context.serverUrl, name)
  const file: FileDatabase = {
    name,
    url,
    slonik() {
      file.opened ??= openTestPool(url)
      return file.opened
    },
    failed: false,
    previousUrl: process.env.DATABASE_URL,
  }
  registerFileDatabase(path, file)
  process.env.DATABASE_URL = url
  return file
}

/** Drops the file's clone, or keeps it when a test failed and the server outlives the run. */
export async function closeFileDatabase(context: DstaRunContext, path: string): Promise<void> {
  const file = takeFileDatabase(path)
  if (!file) return
  if (file.previousUrl === undefined) delete process.env.DATABASE_URL
  else process.env.DATABASE_URL = file.previousUrl
  try {
    await dropOrKeep(context, path, file)
  } catch (error) {
    throw asServerGone(error) // the server died mid-run: one short line, not pg's stack
  }
}

async function dropOrKeep(context: DstaRunContext, path: string, file: FileDatabase): Promise<void> {
  if (file.opened) await (await file.opened).end()
  const admin = await adminClient(context)
  const relativePath = relative(context.root, path)
  if (file.failed && context.keepFailed > 0) {
    const kept = keptName(relativePath, context.project)
    // A pool of the code under test may still be open on it; a rename waits for no one.
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [file.name],
    )
    await admin.query(`ALTER DATABASE ${quoteIdent(file.name)} RENAME TO ${quoteIdent(kept)}`)
    await pruneKept(context.serverUrl, context.keepFailed, context.project)
    const where =
      context.provider === 'embedded'
        ? `as ${kept}; the server ends with the run and is saved: \`npx dsta-db up --snapshot ${KEPT_SNAPSHOT}\` serves it again`
        : `: ${redact(databaseUrl(context.serverUrl, kept))} (password masked: yours)`
    console.warn(`dsta-db: ${relativePath} failed; its database is kept ${where}`)
    return
  }
  if (file.failed)
    console.warn(
      `dsta-db: ${relativePath} failed; its database lived on the ${context.provider} server, which ends with the run. ` +
        'To keep it, run against a server that outlives the run: DATABASE_URL=postgresql://… npx vitest run',
    )
  await dropDatabase(admin, file.name)
}
