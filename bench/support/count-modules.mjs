// Preloaded by bench/import.ts: counts the modules (files, not builtins) a process loads, printed at exit.
import { registerHooks } from 'node:module'

const loaded = new Set()
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) loaded.add(url)
    return nextLoad(url, context)
  },
})
process.on('exit', () => {
  const heavy = ['/pg/', '/slonik/', '/zod/', '/@faker-js/'].filter((part) =>
    [...loaded].some((url) => url.includes(part)),
  )
  process.stderr.write(`\nmodules=${loaded.size} heavy=${heavy.join(',').replaceAll('/', '') || 'none'}\n`)
})
