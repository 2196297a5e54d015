#!/usr/bin/env node
// Bundles the service's entry points into dist/ with esbuild (a dev dependency): what `npm
// start`, the systemd unit, the `pve-qemu` command and `npm run conformance` run, and what `npm
// pack` ships.
//
// Why a bundle: unbundled, a start loads some 870 files (our ~280 compiled modules, typebox's
// 200, fastify's and prom-client's CommonJS trees), and resolving, reading and compiling them
// one by one was most of the start-up time. Bundled, the same code is a handful of files.
//
// What stays lazy: every dynamic `import()` of ours becomes its own chunk (code splitting), so
// the simulator (start-simulated.ts and src/sim), each driver, undici, the OpenAPI document
// and `pve-qemu serve`'s server stay out of what a start loads until they are used.
//
// What is not bundled (`external`, loaded from node_modules at run time): packages with a
// native addon (better-sqlite3, ssh2 and its optional cpu-features), packages that find their
// own files through __dirname (@fastify/swagger-ui's static files, pino's transport workers
// and pino-pretty), and fastify's default schema compilers, which our lazy compilers load on a
// route's first request (src/http/server/lazy-schema-compilers.ts).
//
// Besides the code it writes dist/bundle-meta.json: which source files and packages each
// output file holds, so a test can tell which chunks a start loaded (the simulator's, undici's).
// The build fails when the bundle would carry a package `npm ci --omit=dev` leaves out.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { URL, fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = join(root, 'dist')

const entryPoints = ['src/main.ts', 'src/cli/main.ts', 'src/conformance/main.ts']

const external = [
  'better-sqlite3',
  'ssh2',
  'cpu-features',
  '@fastify/swagger-ui',
  'pino',
  'pino-pretty',
  'thread-stream',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  // debug's optional colours: installed here only as a dev tool's dependency, absent in
  // production, where debug goes without them; the bundle keeps it that way
  'supports-color',
]

// Development dependencies the bundle may carry: the `pve-qemu` command's SSE parser is only
// needed at build time, since dist/cli/main.js holds it.
const bundledDevDependencies = new Set(['eventsource-parser'])

// CommonJS packages inside an ES module bundle call require() for Node's built-in modules:
// each output file gets a real `require` of its own.
const banner = [
  "import { createRequire as __pveQemuCreateRequire } from 'node:module';",
  'const require = __pveQemuCreateRequire(import.meta.url);',
].join('\n')

rmSync(outdir, { recursive: true, force: true })
mkdirSync(outdir, { recursive: true })
const result = await build({
  absWorkingDir: root,
  entryPoints,
  outbase: 'src',
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  banner: { js: banner },
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
})

/** For each output file: our source files and the packages (by name) it holds. */
const meta = {}
for (const [output, details] of Object.entries(result.metafile.outputs)) {
  if (output.endsWith('.map')) continue
  const sources = new Set()
  const packages = new Set()
  for (const input of Object.keys(details.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)
    if (match !== null) packages.add(match[1])
    else sources.add(input)
  }
  meta[output.replace(/^dist\//, '')] = {
    sources: [...sources].sort(),
    packages: [...packages].sort(),
  }
}
// What `npm ci --omit=dev` leaves out must not end up in what runs, except on purpose.
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
const devOnly = Object.values(meta)
  .flatMap((file) => file.packages)
  .filter((name) => lock.packages[`node_modules/${name}`]?.dev === true)
  .filter((name) => !bundledDevDependencies.has(name))
if (devOnly.length > 0) {
  process.stderr.write(`the bundle holds development-only packages: ${[...new Set(devOnly)]}\n`)
  process.exit(1)
}
writeFileSync(join(outdir, 'bundle-meta.json'), `${JSON.stringify(meta, null, 1)}\n`)
process.stdout.write(`service bundled in ${outdir}\n`)
