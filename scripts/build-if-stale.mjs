#!/usr/bin/env node
// Brings the build up to date when a source is newer than it: tsc's check and output
// (build/tsc), the service's bundle (dist/, scripts/bundle.mjs), then lets the dashboard's own
// build decide about web/dist. `npm start`, `npm pack` and the tests that start the compiled
// service or the `pve-qemu` command call it (vitest's global setup), so a single `npx vitest
// run file` works.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import process from 'node:process'
import { URL, fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
// what each step writes last
const tscStamp = join(root, 'build', 'tsc', '.tsbuildinfo')
const bundleStamp = join(root, 'dist', 'bundle-meta.json')

function newest(dir) {
  let time = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return time
}

function builtAt(stamp) {
  try {
    return statSync(stamp).mtimeMs
  } catch {
    return 0
  }
}

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const sources = Math.max(
  newest(join(root, 'src')),
  statSync(join(root, 'tsconfig.build.json')).mtimeMs,
  statSync(join(root, 'tsconfig.base.json')).mtimeMs,
)
if (sources > builtAt(tscStamp)) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  run([tsc, '-p', 'tsconfig.build.json'])
}
const bundleInputs = Math.max(
  sources,
  statSync(join(root, 'package-lock.json')).mtimeMs,
  statSync(join(root, 'scripts', 'bundle.mjs')).mtimeMs,
)
if (bundleInputs > builtAt(bundleStamp)) run([join(root, 'scripts', 'bundle.mjs')])
run([join(root, 'web', 'build.mjs')])
