// A Vitest reporter for bench/suite.ts: where a test file's time goes, as Vitest measures it, averaged
// over the run's files (ms): its setup files, its collection (the import of the test file), its first
// test (fixtures that connect, lazy loads) and its other tests. Written to $DSTA_BENCH_PHASES.
import { writeFileSync } from 'node:fs'

export default class PhasesReporter {
  onTestRunEnd(modules) {
    const sum = { setup: 0, collect: 0, first: 0, rest: 0 }
    for (const module of modules) {
      const diagnostic = module.diagnostic()
      sum.setup += diagnostic.setupDuration
      sum.collect += diagnostic.collectDuration
      let index = 0
      for (const test of module.children.allTests())
        sum[index++ === 0 ? 'first' : 'rest'] += test.diagnostic()?.duration ?? 0
    }
    const files = Math.max(modules.length, 1)
    const perFile = Object.fromEntries(Object.entries(sum).map(([phase, total]) => [phase, total / files]))
    if (process.env.DSTA_BENCH_PHASES) writeFileSync(process.env.DSTA_BENCH_PHASES, JSON.stringify(perFile))
  }
}
