// The sample project as a Vitest `projects` config: two projects, each with dstaDb(), one server.
import { defineConfig } from 'vitest/config'
import { dstaDb } from '../../../src/vitest/index.js'

const project = (name: string, include: string) => ({
  plugins: [dstaDb({ seed: 7 })],
  test: { name, include: [include], testTimeout: 30_000, hookTimeout: 60_000 },
})

export default defineConfig({
  test: { projects: [project('first', 'isolation-a.sample.ts'), project('second', 'isolation-b.sample.ts')] },
})
