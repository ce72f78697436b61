// Prints to stderr, at exit, the npm packages a process loaded (test/cli-bin.test.ts: `--help` stays light).
import { registerHooks } from 'node:module'

const seen = new Set()
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context)
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(result.url)?.[1]
    if (name) seen.add(name)
    return result
  },
})
process.on('exit', () => process.stderr.write(`packages: ${[...seen].sort().join(' ')}\n`))
