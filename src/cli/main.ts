#!/usr/bin/env node
import { run } from './program.js'

// Ctrl-C ends `dsta-db up` cleanly (the server is stopped); other commands finish their transaction or roll back.
const controller = new AbortController()
const abort = () => controller.abort()
process.once('SIGINT', abort)
process.once('SIGTERM', abort)

process.exitCode = await run(process.argv.slice(2), { signal: controller.signal })
process.off('SIGINT', abort)
process.off('SIGTERM', abort)
