// Shared by the migration tests: one server per test file, a fresh database per test case,
// throw-away folders of migration files, and a text dump of the catalog to compare schemas.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

let databases = 0

/** Creates an empty database on the server of `adminUrl` and returns its address. */
export async function freshDatabase(adminUrl: string): Promise<string> {
  const name = `m_${process.pid}_${++databases}`
  await query(adminUrl, `CREATE DATABASE ${name} STRATEGY FILE_COPY`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values?: unknown[],
): Promise<T[]> {
  const client = new pg.Client(url)
  await client.connect()
  try {
    return (await client.query<T>(text, values)).rows
  } finally {
    await client.end()
  }
}

/** A new folder holding `files` (name → text). */
export async function migrationFolder(files: Record<string, string>, parent?: string): Promise<string> {
  const dir = parent ? join(parent, `f${++databases}`) : await mkdtemp(join(tmpdir(), 'dsta-migrate-'))
  await mkdir(dir, { recursive: true })
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  return dir
}

export async function historyNames(url: string, table = 'dsta_migrations'): Promise<string[]> {
  const rows = await query<{ name: string }>(url, `SELECT name FROM ${table} ORDER BY version`).catch(
    (error: { code?: string }) => {
      if (error.code === '42P01') return [] // no history table
      throw error
    },
  )
  return rows.map((row) => row.name)
}

export async function tableNames(url: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    url,
    "SELECT relname AS name FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace ORDER BY 1",
  )
  return rows.map((row) => row.name)
}

/**
 * The user-visible schema as sorted text: tables, columns (type, default, nullability, identity),
 * constraints and indexes with their definitions, functions, triggers, sequences, types and views.
 */
export async function dumpCatalog(url: string): Promise<string> {
  const lines = await query<{ line: string }>(
    url,
    `SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
            || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
            || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
            || CASE a.attidentity WHEN '' THEN '' ELSE ' identity ' || a.attidentity::text END AS line
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
        AND a.attnum > 0 AND NOT a.attisdropped
     UNION ALL
     SELECT 'relation ' || relname || ' kind ' || relkind::text FROM pg_class
      WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'S', 'c')
     UNION ALL
     SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace
     UNION ALL
     SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relnamespace = 'public'::regnamespace
     UNION ALL
     SELECT 'function ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid)) FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
     UNION ALL
     SELECT 'trigger ' || tgrelid::regclass || ' ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
     UNION ALL
     SELECT 'type ' || typname || ' ' || typtype::text FROM pg_type
      WHERE typnamespace = 'public'::regnamespace AND typtype IN ('e', 'd')
     ORDER BY 1`,
  )
  return lines.map((row) => row.line).join('\n')
}
