#!/usr/bin/env node
// Builds the dashboard into web/dist: src/main.ts bundled by esbuild (a dev dependency; the
// published package ships web/dist built), plus the static files. Skips the work when every
// output is newer than every input, so `npm start` and `npm test` can call it each time. `--force` rebuilds anyway.
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { URL, fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const webDir = fileURLToPath(new URL('.', import.meta.url))
const distDir = join(webDir, 'dist')
const staticFiles = ['index.html', 'app.css']
const inputs = [
  ...listFiles(join(webDir, 'src')),
  ...staticFiles.map((file) => join(webDir, 'static', file)),
  join(webDir, 'build.mjs'),
]
const outputs = ['app.js', ...staticFiles].map((file) => join(distDir, file))

/** Newest modification time among `files`; 0 when one is missing (so it counts as stale). */
function newest(files) {
  return Math.max(...files.map((file) => statSync(file).mtimeMs))
}

function oldest(files) {
  try {
    return Math.min(...files.map((file) => statSync(file).mtimeMs))
  } catch {
    return 0
  }
}

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  )
}

const force = process.argv.includes('--force')
if (!force && oldest(outputs) > newest(inputs)) {
  process.exit(0)
}
mkdirSync(distDir, { recursive: true })
await build({
  entryPoints: [join(webDir, 'src', 'main.ts')],
  outfile: join(distDir, 'app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  sourcemap: 'inline',
  logLevel: 'warning',
})
for (const file of staticFiles) copyFileSync(join(webDir, 'static', file), join(distDir, file))
process.stdout.write(`dashboard built in ${distDir}\n`)
