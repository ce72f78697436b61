/**
 * The table of bad inputs for test/cli-bad-inputs.test.ts. `db:NAME` in args stands for the address
 * of database NAME (with the secret password); PORT for the test server's port. `culprit` must
 * match standard error: the option, variable, file, line, field or database at fault.
 * Exit codes as documented: 1 failed, 2 wrong invocation, 3 refused by the production guard.
 */
export interface BadInput {
  name: string
  args: string[]
  env?: Record<string, string>
  code: 1 | 2 | 3
  culprit: RegExp
}

/** The password of every address the cases use: it must never be printed. */
export const SECRET = 'S3cr3t@Pw'

const dev = ['--database-url', 'db:dsta_dev']
const prod = ['--database-url', 'db:dsta_prod']
const scratch = ['--database-url', 'db:dsta_scratch_test']
const refused = ['--database-url', `postgresql://postgres:${encodeURIComponent(SECRET)}@127.0.0.1:1/dsta_dev`]
const noDb = ['--database-url', 'db:no_such_db']

const usage = (name: string, args: string[], culprit: RegExp): BadInput => ({ name, args, code: 2, culprit })
const failed = (name: string, args: string[], culprit: RegExp): BadInput => ({ name, args, code: 1, culprit })
const guarded = (name: string, args: string[]): BadInput => ({
  name,
  args,
  code: 3,
  culprit: /refusing to .*"dsta_prod".*--force/,
})

export const BAD_INPUTS: BadInput[] = [
  // commands and options
  usage('unknown command', ['migrat'], /unknown command 'migrat'/),
  usage('help for an unknown command', ['help', 'nosuch'], /unknown command 'nosuch'/),
  usage('unknown option', ['dump', '--indnt', '2'], /unknown option '--indnt'/),
  usage('unknown option of migrate', ['migrate', '--bogus'], /unknown option '--bogus'/),
  usage('indent not a number', ['dump', '--indent', 'two', ...dev], /--indent/),
  usage('indent negative', ['dump', '--indent', '-1', ...dev], /--indent/),
  usage('indent too large', ['dump', '--indent', '11', ...dev], /--indent/),
  usage('dump: unknown table', ['dump', 'nosuchtable', ...dev], /nosuchtable/),
  usage('dump: unknown Django model', ['dump', 'api.User', ...dev], /api\.User/),
  usage('days zero', ['generate', '--days', '0', ...dev], /--days/),
  usage('days negative', ['generate', '--days', '-5', ...dev], /--days/),
  usage('days not a number', ['generate', '--days', 'abc', ...dev], /--days/),
  usage('days absurd', ['generate', '--days', '100000', ...dev], /--days .*at most 36500/),
  usage('days infinite', ['generate', '--days', 'Infinity', ...dev], /--days/),
  usage('days NaN', ['generate', '--days', 'NaN', ...dev], /--days/),
  usage('symbol lower case', ['generate', '--symbols', 'btc', ...dev], /'btc'/),
  usage('symbol with a dash', ['generate', '--symbols', 'BTC-USDT', ...dev], /BTC-USDT/),
  usage('symbol too short', ['generate', '--symbols', 'A', ...dev], /'A'/),
  usage('unknown exchange', ['generate', '--exchange', 'kraken', ...dev], /kraken/),
  usage('end month 13', ['generate', '--end', '2026-13-01', ...dev], /--end/),
  usage('end without a zone', ['generate', '--end', '2026-01-01T00:00', ...dev], /--end/),
  usage('end in words', ['generate', '--end', 'yesterday', ...dev], /--end/),
  usage('seed without a value', ['generate', '--seed'], /--seed/),
  usage('lock timeout in words', ['migrate', '--lock-timeout', 'soon', ...dev], /--lock-timeout/),
  usage('unknown migration target', ['migrate', '0042_nothing', ...dev], /0042_nothing/),
  usage('unknown baseline', ['migrate', '--baseline', '0099', ...dev], /0099/),
  usage('rollback without --yes', ['migrate', 'zero', ...dev], /--yes/),
  usage('fake rollback without --yes', ['migrate', 'zero', '--fake', ...dev], /--yes/),
  usage('rollback to 0000 without --yes', ['migrate', '0', ...dev], /0001_initial|--yes|"0"/),
  usage('sql of an unknown migration', ['sql', '9999'], /9999/),
  usage('sql without a migration', ['sql'], /missing required argument 'migration'/),
  usage('new: bad name', ['new', 'Bad-Name'], /Bad-Name/),
  usage('new: name of 64 characters', ['new', 'a'.repeat(64)], /64 characters/),
  usage('new: starts with a digit', ['new', '1abc'], /1abc/),
  usage('new: empty name', ['new', ''], /migration name ""/),
  usage('up: port zero', ['up', '--port', '0'], /--port/),
  usage('up: port too large', ['up', '--port', '70000'], /--port/),
  usage('up: port in words', ['up', '--port', 'abc'], /--port/),
  usage('up: unknown provider', ['up', '--provider', 'podman'], /podman/),
  usage('init: port in words', ['init', '--db-port', 'abc'], /--db-port/),
  usage('init: port zero', ['init', '--db-port', '0'], /--db-port/),
  usage('init: days zero', ['init', '--with-test-data', '--days', '0'], /--days/),
  usage(
    'init: slash in the name',
    ['init', '--db-host', '127.0.0.1', '--db-port', 'PORT', '--db-name', 'dsta/dev'],
    /--db-name "dsta\/dev"/,
  ),
  usage(
    'init: name too long',
    ['init', '--db-host', '127.0.0.1', '--db-port', 'PORT', '--db-name', 'x'.repeat(70)],
    /--db-name/,
  ),
  usage('flush without --yes', ['flush', ...dev], /--yes/),
  usage('reset without --yes', ['reset', ...dev], /--yes/),
  usage('dedupe without --yes', ['dedupe', ...dev], /--yes/),
  usage('vacuum: unknown table', ['vacuum', 'users', ...dev], /"users"/),
  usage('explain: query twice', ['explain', 'SELECT 1', '--file', 'query.sql', ...dev], /not both/),
  usage('explain: empty query', ['explain', '   ', ...dev], /empty/),
  usage('backup: unknown format', ['backup', '--format', 'zip', ...dev], /zip/),
  usage('backup: compression 12', ['backup', '--compress', '12', ...dev], /--compress/),
  usage('backup: missing folder', ['backup', '-o', 'nodir/x.dump', ...dev], /nodir/),
  usage(
    'backup: output is a folder',
    ['backup', '-o', 'a-folder.dump', ...dev],
    /a-folder\.dump is a folder/,
  ),
  usage('dump: missing folder', ['dump', '-o', 'nodir/x.json', ...dev], /nodir/),
  usage('restore without a file', ['restore'], /missing required argument 'file'/),
  usage('load without a file', ['load'], /missing required argument 'files'/),
  usage('database-url without a value', ['status', '--database-url'], /--database-url/),

  // where the database is
  {
    name: 'no database anywhere',
    args: ['status'],
    code: 2,
    culprit: /no database to connect to.*DATABASE_URL.*dsta-db up/,
  },
  {
    name: 'DATABASE_URL not an address',
    args: ['status'],
    env: { DATABASE_URL: 'not a url' },
    code: 2,
    culprit: /DATABASE_URL is not a valid address/,
  },
  {
    name: 'DATABASE_URL of MySQL',
    args: ['status'],
    env: { DATABASE_URL: `mysql://root:${SECRET}@h/db` },
    code: 2,
    culprit: /DATABASE_URL is a "mysql" address/,
  },
  usage(
    '--database-url of http',
    ['status', '--database-url', 'http://example.com/db'],
    /--database-url is a "http" address/,
  ),
  {
    name: 'DB_PORT in words',
    args: ['status'],
    env: { DB_HOST: 'localhost', DB_PORT: 'abc', DB_PASSWORD: SECRET },
    code: 2,
    culprit: /DB_PORT "abc"/,
  },
  {
    name: 'DB_PORT too large',
    args: ['status'],
    env: { DB_HOST: 'localhost', DB_PORT: '99999' },
    code: 2,
    culprit: /DB_PORT "99999"/,
  },
  {
    name: 'port too large in DATABASE_URL',
    args: ['status'],
    env: { DATABASE_URL: `postgresql://u:${SECRET}@h:99999/db` },
    code: 2,
    culprit: /DATABASE_URL .*port "99999"/,
  },
  {
    name: 'DB_HOST with a space',
    args: ['status'],
    env: { DB_HOST: 'bad host', DB_NAME: 'dsta_dev' },
    code: 2,
    culprit: /DB_HOST/,
  },
  {
    name: 'DATABASE_URL without a host',
    args: ['status'],
    env: { DATABASE_URL: 'postgresql://' },
    code: 2,
    culprit: /DATABASE_URL names no host/,
  },
  usage('--database-url empty', ['status', '--database-url', ''], /--database-url/),

  // servers and databases that are not there
  failed('server refuses: status', ['status', ...refused], /cannot connect to .*127\.0\.0\.1:1\/dsta_dev/),
  failed('server refuses: load', ['load', 'good.json', ...refused], /127\.0\.0\.1:1/),
  failed('server refuses: dump', ['dump', ...refused], /127\.0\.0\.1:1/),
  failed('server refuses: generate', ['generate', '--days', '1', ...refused], /127\.0\.0\.1:1/),
  failed('server refuses: verify', ['verify', ...refused], /127\.0\.0\.1:1/),
  failed('server refuses: flush', ['flush', '--yes', ...refused], /127\.0\.0\.1:1/),
  failed('server refuses: backup', ['backup', '-o', 'x.dump', ...refused], /127\.0\.0\.1:1/),
  failed('server refuses: restore', ['restore', 'good.dump', ...refused], /127\.0\.0\.1:1/),
  failed('server refuses: explain', ['explain', ...refused], /127\.0\.0\.1:1/),
  failed('server refuses: vacuum', ['vacuum', ...refused], /127\.0\.0\.1:1/),
  failed('server refuses: migrate', ['migrate', ...refused], /127\.0\.0\.1:1/),
  failed(
    'unencoded @ in the password',
    ['status', '--database-url', `postgresql://postgres:${SECRET}@127.0.0.1:1/dsta_dev`],
    /127\.0\.0\.1:1/,
  ),
  failed('unknown database: status', ['status', ...noDb], /no_such_db/),
  failed('unknown database: load', ['load', 'good.json', ...noDb], /no_such_db/),
  failed('unknown database: dump', ['dump', ...noDb], /no_such_db/),
  failed('unknown database: verify', ['verify', ...noDb], /no_such_db/),
  failed(
    'unknown host',
    ['status', '--database-url', `postgresql://u:${SECRET}@no-such-host.invalid/dsta_dev`],
    /no-such-host\.invalid/,
  ),

  // fixtures: every one refused whole
  failed('load: missing file', ['load', 'missing.json', ...dev], /missing\.json: cannot read the fixture/),
  failed('load: JSON syntax', ['load', 'syntax.json', ...dev], /syntax\.json:2:\d+: JSON syntax error/),
  failed('load: empty file', ['load', 'empty.json', ...dev], /empty\.json:1:1/),
  failed('load: not an array', ['load', 'object.json', ...dev], /object\.json:1: a fixture is a JSON array/),
  failed(
    'load: bad symbol in record 2',
    ['load', 'symbol.json', ...dev],
    /symbol\.json:3: record 2 \(candlesticks\), field "symbol"/,
  ),
  failed(
    'load: unknown model',
    ['load', 'model.json', ...dev],
    /model\.json:2: record 1: unknown model "auth\.User"/,
  ),
  failed(
    'load: unknown field',
    ['load', 'field.json', ...dev],
    /field\.json:2: record 1 \(candlesticks\), field "colour"/,
  ),
  failed(
    'load: negative price',
    ['load', 'negative.json', ...dev],
    /negative\.json:2: record 1 .*"low_price"/,
  ),
  failed('load: high below open', ['load', 'high.json', ...dev], /high\.json:2: record 1 .*"high_price"/),
  failed(
    'load: bad timestamp',
    ['load', 'timestamp.json', ...dev],
    /timestamp\.json:2: record 1 .*"timestamp"/,
  ),
  failed(
    'load: unknown exchange',
    ['load', 'exchange.json', ...dev],
    /exchange\.json:2: record 1 .*"exchange"/,
  ),
  failed(
    'load: unknown interval',
    ['load', 'interval.json', ...dev],
    /interval\.json:2: record 1 .*"interval"/,
  ),
  failed(
    'load: missing fields',
    ['load', 'missing-fields.json', ...dev],
    /missing-fields\.json:2: record 1 .*missing fields/,
  ),
  failed(
    'load: trade id not a number',
    ['load', 'trade-id.json', ...dev],
    /trade-id\.json:2: record 1 \(trades\), field "trade_id"/,
  ),
  failed(
    'load: rows already there',
    ['load', 'duplicate.json', ...dev],
    /duplicate\.json:\d+: record \d+ .*(duplicate|already exists)/,
  ),
  failed('load: good file then a bad one', ['load', 'good.json', 'symbol.json', ...dev], /symbol\.json:3/),
  failed('load: a folder', ['load', 'broken', ...dev], /broken/),

  // migrations
  failed(
    'migration with a syntax error',
    ['migrate', '--dir', 'broken', ...dev],
    /0002_broken\.up\.sql:2: syntax error/,
  ),
  failed(
    'migration on a schema that exists',
    ['migrate', '--dir', 'exists', ...dev],
    /0002_again\.up\.sql.*already exists[\s\S]*--fake[\s\S]*--baseline/,
  ),
  failed(
    'two migrations, one version',
    ['migrate', '--dir', 'dupes', ...dev],
    /two migrations have version 2/,
  ),
  failed('migrations folder missing', ['migrate', '--dir', 'nowhere', ...dev], /nowhere: it does not exist/),
  failed('migrations folder is a file', ['status', '--dir', 'notfolder.txt', ...dev], /notfolder\.txt/),
  failed('sql: migrations folder missing', ['sql', '0001', '--dir', 'nowhere'], /nowhere/),

  // the production guard: dsta_prod on a server dsta-db did not start
  guarded('flush on production', ['flush', '--yes', ...prod]),
  guarded('reset on production', ['reset', '--yes', ...prod]),
  guarded('rollback on production', ['migrate', 'zero', '--yes', ...prod]),
  guarded('fake rollback on production', ['migrate', 'zero', '--fake', '--yes', ...prod]),
  guarded('dedupe on production', ['dedupe', '--yes', ...prod]),
  guarded('restore into production', ['restore', 'good.dump', ...prod]),
  guarded('load into non-empty production tables', ['load', 'good.json', ...prod]),
  {
    name: 'flush on production through DB_*',
    args: ['flush', '--yes'],
    env: {
      DB_HOST: '127.0.0.1',
      DB_PORT: 'PORT',
      DB_NAME: 'dsta_prod',
      DB_USER: 'postgres',
      DB_PASSWORD: SECRET,
    },
    code: 3,
    culprit: /refusing to flush "dsta_prod"/,
  },

  // backup and restore
  failed('restore: missing file', ['restore', 'missing.dump', ...scratch], /missing\.dump: no such file/),
  failed(
    'restore: not an archive',
    ['restore', 'not-an-archive.dump', ...scratch],
    /not-an-archive\.dump is neither a dsta-db archive nor a pg_dump/,
  ),
  failed(
    'restore: gzip of something else',
    ['restore', 'garbage.dump', ...scratch],
    /garbage\.dump: it is not a dsta-db archive/,
  ),
  failed('restore: cut in half', ['restore', 'cut.dump', ...scratch], /cut\.dump is cut short/),
  failed('restore: a folder', ['restore', 'a-folder.dump', ...scratch], /a-folder\.dump: .*folder/),
  failed(
    'restore: into non-empty tables',
    ['restore', 'good.dump', ...dev],
    /table candlesticks of the target holds rows.*--clean/,
  ),
  failed(
    'restore: pg_dump archive with --clean',
    ['restore', 'not-an-archive.dump', '--clean', ...scratch],
    /not-an-archive\.dump/,
  ),

  // queries
  failed(
    'explain: a syntax error',
    ['explain', 'SELEC 1', ...dev],
    /cannot plan this query: syntax error at or near "SELEC"/,
  ),
  failed(
    'explain: unknown table',
    ['explain', 'SELECT * FROM nope', ...dev],
    /relation "nope" does not exist/,
  ),
  failed('explain: missing query file', ['explain', '--file', 'missing.sql', ...dev], /missing\.sql/),
]
