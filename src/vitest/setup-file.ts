// Runs in the worker before each test file (wired by dstaDb()). Vitest runs a setup file through
// Vite's module runner, each import a round trip to the main process: this one imports a single
// module, which Node loads natively with everything it needs (see file-setup.ts).
import { setUpFile } from './file-setup.js'

await setUpFile()
