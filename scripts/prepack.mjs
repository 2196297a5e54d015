#!/usr/bin/env node
// `npm pack` / `npm publish`: builds what is stale (dist/, web/dist/) and ships the lockfile as
// npm-shrinkwrap.json, so an installed package gets exactly the dependency versions the tests
// ran with (postpack removes the copy again).
import { spawnSync } from 'node:child_process'
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { URL, fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const shrinkwrap = join(root, 'npm-shrinkwrap.json')

if (process.argv.includes('--post')) {
  rmSync(shrinkwrap, { force: true })
} else {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-if-stale.mjs')], {
    stdio: 'inherit',
  })
  if (build.status !== 0) process.exit(build.status ?? 1)
  copyFileSync(join(root, 'package-lock.json'), shrinkwrap)
}
