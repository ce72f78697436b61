import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultBaseDir } from '../../src/server/index.js'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const node = join(repo, 'node_modules/.bin/node')
const vitestBin = join(repo, 'node_modules/vitest/vitest.mjs')

export interface NestedRun {
  pid: number
  exitCode: number | null
  output: string
  records: Record<string, unknown>[]
  results: { fullName: string; status: string; failureMessages: string[] }[]
}

/**
 * Runs `vitest run` on a sample project in a child process (its own main process, server and
 * workers, as a user's run would have) and returns what its tests recorded and its JSON report.
 */
export function runNested(project: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<NestedRun> {
  return startNested(project, args, env).result
}

export interface StartedNested {
  pid: number
  /** What the run's tests recorded so far (they append as they go). */
  records(): Record<string, unknown>[]
  result: Promise<NestedRun>
}

/**
 * `runNested`, started and not waited for. `detached`: the run leads its own process group, so a
 * test can kill the whole of it at once (`process.kill(-pid, 'SIGKILL')`), as a CI time-out does.
 */
export function startNested(
  project: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  { detached = false }: { detached?: boolean } = {},
): StartedNested {
  const out = mkdtempSync(join(tmpdir(), 'dsta-nested-'))
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, DSTA_SAMPLE_OUT: out, NO_COLOR: '1' }
  for (const key of Object.keys(childEnv))
    if (key.startsWith('VITEST') || key === 'TINYPOOL_WORKER_ID') delete childEnv[key]
  const child = spawn(
    node,
    [
      vitestBin,
      'run',
      '--root',
      join(repo, 'test/fixtures-vitest', project),
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${join(out, 'report.json')}`,
      ...args,
    ],
    { cwd: repo, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached },
  )
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const recordsFile = join(out, 'records.jsonl')
  const records = () =>
    existsSync(recordsFile)
      ? readFileSync(recordsFile, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line))
      : []
  const result = (async () => {
    try {
      const exitCode = await new Promise<number | null>((resolve) =>
        child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))),
      )
      const reportFile = join(out, 'report.json')
      const report = existsSync(reportFile)
        ? JSON.parse(readFileSync(reportFile, 'utf8'))
        : { testResults: [] }
      const results = report.testResults.flatMap(
        (file: { assertionResults: NestedRun['results'] }) => file.assertionResults,
      )
      return { pid: child.pid ?? -1, exitCode, output, records: records(), results }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })()
  return { pid: child.pid ?? -1, records, result }
}

/** Embedded-server folders a process left behind (none once its run ended cleanly). */
export function leftoverServerDirs(pid: number, baseDir = defaultBaseDir()): string[] {
  if (!existsSync(baseDir)) return []
  return readdirSync(baseDir).filter((name) => name.startsWith(`run-${pid}-`))
}
