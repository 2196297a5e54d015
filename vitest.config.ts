import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

import SlowFirstSequencer from './test/helpers/slow-first-sequencer.js'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One process per worker runs file after file (not a new process per file): the service,
    // the simulator and their dependencies are loaded once per worker instead of once per file,
    // which halves the suite's CPU time. Nothing in src/ or the test helpers keeps state at module
    // level, and the few tests that change process-wide state (fake timers, an environment
    // variable, the working directory) restore it in the same test or its afterEach.
    isolate: false,
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core CI
    // machine, which then idles while a test waits on a child process, a socket or the browser.
    // The tests wait on events and latches, not on wall-clock windows, so one per core is safe.
    maxWorkers: Math.max(2, availableParallelism()),
    globalSetup: ['test/helpers/global-setup.ts'],
    // the longest files start first, also on a fresh clone (no results cache): no core idles
    // at the end while the other runs a long file alone
    sequence: { sequencer: SlowFirstSequencer },
  },
})
