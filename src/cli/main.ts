#!/usr/bin/env node
import { run } from './program.js'

// Ctrl-C ends `dsta-db up` cleanly (the server is stopped). Any other command stops at once: the
// server rolls back the transaction in progress when our connection goes away.
const controller = new AbortController()
const onSignal = () => {
  if (process.argv[2] === 'up') return controller.abort()
  process.stderr.write('dsta-db: interrupted; the transaction in progress is rolled back\n')
  process.exit(130)
}
process.once('SIGINT', onSignal)
process.once('SIGTERM', onSignal)

process.exitCode = await run(process.argv.slice(2), { signal: controller.signal })
process.off('SIGINT', onSignal)
process.off('SIGTERM', onSignal)
