import type { GenerateOptions } from '../generate/index.js'
import type { ChartOnFailureOptions } from './chart-on-failure.js'
import { checkOptionShape } from './check-options.js'

/** Options of `dstaDb()`. Every field is optional; `dstaDb()` alone gives a working set-up. */
export interface DstaDbOptions {
  /** Base seed of the run (default 42); `DSTA_SEED` overrides it. Printed at start and on every failure. */
  seed?: number | undefined
  /** Where PostgreSQL comes from: `auto` (default: external when `DATABASE_URL` / `DB_*` is set, else embedded). */
  provider?: 'auto' | 'embedded' | 'container' | 'external' | undefined
  /** Default isolation of a file; a file may choose its own with a `// @dsta-isolation database` comment. */
  isolation?: Isolation | undefined
  /** Extra folders of `*.up.sql` files, applied after the DSTA schema (relative to the project root). */
  migrations?: string[] | undefined
  /**
   * Bake generated market data into the template once: the options of `generateTestData`
   * (`days`, `symbols`, `exchange`, `seed`, `end`, …). Every test starts with it, at no per-test cost.
   */
  testData?: GenerateOptions | undefined
  /** Bake the guide's `fixtures/sample_data.json` (`true`) or your own fixture file into the template once. */
  sampleData?: boolean | string | undefined
  /** Clones kept ready for `database`-isolation files (default 2). */
  readyClones?: number | undefined
  /** Cap on this run's databases alive at once (default 64). */
  maxDatabases?: number | undefined
  /** Databases of failed `database`-isolation files kept on an external server (default 3; 0 keeps none). */
  keepFailed?: number | undefined
  /** Folder of PostgreSQL binaries for the embedded provider (e.g. `/usr/lib/postgresql/18/bin`). */
  binDir?: string | undefined
  /**
   * A failing test that used `db` leaves an HTML chart of its database (candles, book, metrics) under
   * `.dsta-db/charts` (or `dir`), attached to the test and named in its error. Default off.
   */
  chartOnFailure?: boolean | ChartOnFailureOptions | undefined
  /** Image for the container provider (default `DSTA_DB_IMAGE`, else `postgres:<major>-alpine`). */
  image?: string | undefined
}

export type Isolation = 'transaction' | 'database'

/** What the global setup hands to every worker through `provide`/`inject`. */
export interface DstaRunContext {
  serverUrl: string
  /** An embedded server's Unix socket folder: the workers' clients log in there, in one round trip. */
  socketDir?: string | undefined
  provider: 'embedded' | 'container' | 'external'
  template: string
  runId: string
  baseSeed: number
  isolation: Isolation
  /** The project's root: test files are named relative to it in seeds and replay commands. */
  root: string
  /** How many failed files' databases may be kept (0 when the server does not outlive the run). */
  keepFailed: number
  /** The project's key in kept databases' names (see `projectKey`): a project prunes only its own. */
  project: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    dstaDbOptions: DstaDbOptions
    dstaDb: DstaRunContext
  }
}

/** Checks `dstaDb()`'s options when the config loads: a `DstaOptionError` names the first bad one. */
export function checkOptions(options: DstaDbOptions): DstaDbOptions {
  checkOptionShape(options)
  return options
}
