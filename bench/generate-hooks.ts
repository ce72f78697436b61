/**
 * Lets Node 24 run the TypeScript sources directly: `import './x.js'` resolves to `./x.ts` when
 * only the `.ts` exists. Use with `--experimental-transform-types --import ./bench/generate-hooks.ts`.
 */
import { registerHooks } from 'node:module'

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context)
    } catch (error) {
      if (/^(\.|\/|file:)/.test(specifier) && specifier.endsWith('.js'))
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context)
      throw error
    }
  },
})
