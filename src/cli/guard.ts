import { redact } from '../server/address.js'
import { connect, connectMaintenance, UP_MARK } from './admin.js'
import { CliError, type CliIo, databaseName, type GuardOptions } from './context.js'

/** The `cluster_name` of every server the embedded and container providers start (src/server/). */
export const EMBEDDED_CLUSTER = 'dsta-db'

/** `dsta_dev`, `dsta_test`, `test_db`, `app-ci`, `cli_test_3`, `dsta_local` …: a word of the name says dev or test. */
const DEV_OR_TEST =
  /(?:^|[^a-z])(?:dev|develop|development|test|tests|testing|ci|local|demo|sandbox|scratch|tmp|temp)(?:[^a-z]|$)/i

export function looksDevOrTest(name: string): boolean {
  return DEV_OR_TEST.test(name)
}

/**
 * The production guard: a destructive command (`action`, e.g. "flush") goes ahead only on a
 * database that is dsta-db's own (an embedded server, or one `dsta-db up` created) or whose name
 * says dev or test; anything else needs `--force`. Refusing exits 3 and says why and how.
 */
export async function guard(url: string, io: CliIo, action: string, options: GuardOptions): Promise<void> {
  const name = databaseName(url)
  if (looksDevOrTest(name)) return
  const why = await ownership(url, name)
  if (why) return
  if (options.force) {
    io.stderr(`note: --force: ${action} on "${name}", which is not a dev or test database\n`)
    return
  }
  throw new CliError(
    `refusing to ${action} "${name}" (${redact(url)}): it is not on a server dsta-db started (embedded or \`dsta-db up\`) ` +
      'and its name does not say dev or test (e.g. dsta_dev, dsta_test). If this database may really lose its data, add --force.',
    3,
  )
}

/** Why the database is ours to change, or undefined: our servers' name, or `up`'s mark. */
async function ownership(url: string, name: string): Promise<string | undefined> {
  const client = await connect(url).catch(() => connectMaintenance(url))
  try {
    const { rows } = await client.query<{ cluster: string; mark: string | null }>(
      `SELECT current_setting('cluster_name') AS cluster,
              (SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1) AS mark`,
      [name],
    )
    const row = rows[0]
    if (row?.cluster === EMBEDDED_CLUSTER) return 'a server dsta-db started'
    if (row?.mark === UP_MARK) return 'created by dsta-db up'
    return undefined
  } finally {
    await client.end().catch(() => {})
  }
}
