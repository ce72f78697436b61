/** One migration: the pair `NNNN_name.up.sql` / `NNNN_name.down.sql` found in a migrations folder. */
export interface MigrationFile {
  /** The number before the first `_`, e.g. 2 for `0002_add_index`. Orders migrations across all folders. */
  version: number
  /** File name without `.up.sql`, e.g. `0002_add_index`: the name recorded in the history table. */
  name: string
  dir: string
  upPath: string
  downPath?: string | undefined
  upSql: string
  downSql?: string | undefined
  /** SHA-256 (hex) of the up file's bytes. */
  checksum: string
  /** The up file holds a `-- dsta:no-transaction` line: it runs statement by statement, outside any transaction. */
  noTransaction: boolean
  /** The same marker in the down file. */
  downNoTransaction: boolean
}

/** How a history row came to be: the file ran, `fake` recorded it, or `baseline` marked it. */
export type HistoryKind = 'applied' | 'fake' | 'baseline'

/** A row of the history table. */
export interface HistoryRow {
  version: number
  name: string
  checksum: string
  kind: HistoryKind
  appliedAt: Date
  durationMs: number
}

/**
 * - `applied`: recorded, and the file is unchanged.
 * - `pending`: not recorded yet; the next `migrate` runs it.
 * - `out-of-order`: pending, but a later version is already applied (e.g. a file merged from a branch).
 * - `modified`: recorded, but the file changed since (checksum or name differs). `migrate` refuses.
 * - `missing`: recorded, but no file has that version any more. `migrate` refuses.
 */
export type MigrationState = 'applied' | 'pending' | 'out-of-order' | 'modified' | 'missing'

export interface StatusEntry {
  version: number
  /** The file's name, or the recorded one for `missing`. */
  name: string
  state: MigrationState
  file?: MigrationFile
  history?: HistoryRow
  /** Why an entry is `modified`, `missing` or `out-of-order`, in words. */
  detail?: string
}

export interface InvalidIndex {
  /** Schema-qualified index name. */
  index: string
  table: string
}

export interface MigrationStatus {
  database: string
  historyTable: string
  /** Every file and every history row, by version. */
  entries: StatusEntry[]
  /** Indexes left invalid by a failed `CREATE INDEX CONCURRENTLY`: drop them, then run the migration again. */
  invalidIndexes: InvalidIndex[]
  /** True when nothing is modified, missing or invalid (pending and out-of-order files are not problems here). */
  ok: boolean
}

/** What the runner reports while it works; pass `onEvent` to print progress. */
export type MigrationEvent =
  | { type: 'lock-wait'; holder: string }
  | { type: 'lock-acquired'; waitedMs: number }
  | { type: 'start'; direction: 'up' | 'down'; name: string; fake: boolean }
  | {
      type: 'done'
      direction: 'up' | 'down'
      name: string
      durationMs: number
      kind: HistoryKind | 'rolled-back'
    }

/** Which folders hold the migrations. Every function of the runner takes the same two options. */
export interface SourceOptions {
  /** Folders of migration files applied together with the DSTA schema (the vitest plugin's `migrations`). */
  dirs?: string[]
  /** Include the DSTA schema's own folder (`DEFAULT_MIGRATIONS_DIR`, this package's `sql/`); default true. */
  dstaSchema?: boolean
  /** Default `dsta_migrations`; may be schema-qualified (`ops.migrations`). */
  historyTable?: string
}

export interface MigrateOptions extends SourceOptions {
  /** `zero`, a name (`0001_initial`) or a version (`0001`, `1`): migrate up or down to it. Default: the latest. */
  to?: string
  /** Record (or, going down, erase) history rows without running the files. */
  fake?: boolean
  /** Mark every migration up to this one as applied without running it (an existing schema), then go on. */
  baseline?: string
  /** Return the SQL that would run and what would be applied; change nothing. */
  dryRun?: boolean
  /** Apply pending files older than the latest applied one instead of refusing. */
  allowOutOfOrder?: boolean
  /** Accept edited and missing files: record the current checksums, forget rows whose file is gone. Runs nothing. */
  repair?: boolean
  /** How long to wait for another migrator's lock before failing; default 60 000 ms. */
  lockTimeoutMs?: number
  onEvent?: ((event: MigrationEvent) => void) | undefined
}

export interface MigrationStep {
  version: number
  name: string
  file: string
  durationMs: number
}

export interface MigrateResult {
  /** Up files that ran (in a dry run: would run). */
  applied: MigrationStep[]
  /** Down files that ran, latest first (in a dry run: would run). */
  rolledBack: MigrationStep[]
  /** Recorded or erased without running (`fake`). */
  faked: MigrationStep[]
  /** Recorded as `baseline`. */
  baselined: MigrationStep[]
  /** Rows changed by `repair`. */
  repaired: string[]
  dryRun: boolean
  /** In a dry run: the SQL the run would send, file by file. */
  sql?: string
}
