// Preloaded in each worker: remembers the package files the process loads, for the sample files to record.
import { registerHooks } from 'node:module'

const loaded = new Set()
globalThis.__dstaLoaded = loaded
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) loaded.add(url)
    return nextLoad(url, context)
  },
})
