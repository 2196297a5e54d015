import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { startHttpsTarget, type HttpsTarget } from '../pve/drivers/api/https-target.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const distUrl = pathToFileURL(join(root, 'dist')).href + '/'
const work = mkdtempSync(join(tmpdir(), 'pve-qemu-production-'))
let target: HttpsTarget | undefined

afterEach(async () => {
  await target?.close()
  target = undefined
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

// a module hook that writes down every module the process loads
writeFileSync(
  join(work, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  appendFileSync(process.env.MODULE_LOG, url + '\\n')
  return next(url, context)
}
`,
)
writeFileSync(
  join(work, 'register.mjs'),
  `import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n`,
)

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  return typeof address === 'object' && address !== null ? address.port : 0
}

/** What scripts/bundle.mjs wrote down: the sources and packages each file of dist/ holds. */
interface BundleFile {
  sources: string[]
  packages: string[]
}

function readBundleMeta(): Map<string, BundleFile> {
  const meta = JSON.parse(readFileSync(join(root, 'dist', 'bundle-meta.json'), 'utf8')) as Record<
    string,
    BundleFile
  >
  return new Map(Object.entries(meta).map(([file, holds]) => [distUrl + file, holds]))
}

/** The URLs of the bundle's files that hold something `holds` picks. */
function filesHolding(meta: Map<string, BundleFile>, holds: (file: BundleFile) => boolean) {
  return [...meta].filter(([, file]) => holds(file)).map(([url]) => url)
}

const simulatorCode = (file: BundleFile): boolean =>
  file.sources.some(
    (source) => source.startsWith('src/sim/') || source === 'src/start-simulated.ts',
  )
const packageCode =
  (name: string) =>
  (file: BundleFile): boolean =>
    file.packages.includes(name)

/**
 * The modules of a start that come from the bundle (dist/), and a check that nothing else of
 * ours ran: no tsc output (build/), no TypeScript (src/).
 */
function expectTheBundleRan(loaded: string[], meta: Map<string, BundleFile>): void {
  expect(loaded).toContain(distUrl + 'main.js')
  // the hook saw the bundle's chunks, so an empty list below means something
  const serviceChunks = filesHolding(meta, (file) => file.sources.includes('src/create-service.ts'))
  expect(serviceChunks.filter((url) => loaded.includes(url))).not.toEqual([])
  const ours = pathToFileURL(root).href + '/'
  expect(
    loaded.filter(
      (url) => url.startsWith(ours) && !url.startsWith(distUrl) && !url.includes('/node_modules/'),
    ),
  ).toEqual([])
}

/** What of `loaded` is `name`'s code: a bundled package's chunk, or its own files (external). */
function loadedOf(name: string, loaded: string[], meta: Map<string, BundleFile>): string[] {
  const chunks = filesHolding(meta, packageCode(name))
  return loaded.filter((url) => chunks.includes(url) || url.includes(`/node_modules/${name}/`))
}

/**
 * Starts the bundled service (`node dist/main.js`, as the unit does) with `env`, waits for its
 * first `ok` from /api/health, stops it, and returns every module URL it loaded.
 */
async function modulesLoadedBy(name: string, env: Record<string, string>): Promise<string[]> {
  const log = join(work, `${name}.modules`)
  writeFileSync(log, '')
  const port = await freePort()
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(join(work, 'register.mjs')).href, join(root, 'dist', 'main.js')],
    {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: work,
        MODULE_LOG: log,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: join(work, `${name}-data`),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8')
        if (output.includes('listening on http://127.0.0.1:')) resolve()
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      child.once('exit', (code) => reject(new Error(`exited (${String(code)}):\n${output}`)))
    })
    const health = await fetch(`http://127.0.0.1:${port}/api/health`)
    expect(await health.text()).toBe('ok')
    expect(output).toContain('"msg":"driving ')
    expect(output).not.toContain('simulat')
  } finally {
    child.kill('SIGTERM')
    if (child.exitCode === null) await once(child, 'exit')
  }
  return readFileSync(log, 'utf8').split('\n').filter(Boolean)
}

describe('a production configuration', () => {
  it('is built with the simulator and undici in chunks of their own', () => {
    // else "loads no simulator chunk" below could not fail
    const meta = readBundleMeta()
    const main = meta.get(distUrl + 'main.js')
    expect(main?.sources).toEqual(['src/main.ts'])
    expect(filesHolding(meta, simulatorCode)).not.toEqual([])
    expect(filesHolding(meta, packageCode('undici'))).not.toEqual([])
    expect(filesHolding(meta, packageCode('fastify'))).not.toEqual([])
  })

  it('with the cli driver loads no chunk of the simulator', async () => {
    const key = join(work, 'id_ed25519')
    writeFileSync(key, 'not used: the main node runs qm locally\n', { mode: 0o600 })
    const loaded = await modulesLoadedBy('cli', {
      PVE_DRIVER: 'cli',
      MAIN_NODE: 'pve1',
      NODE_pve1: '127.0.0.1',
      GATEWAY: '127.0.0.1',
      PVE_SSH_KEY: key,
    })
    const meta = readBundleMeta()
    expectTheBundleRan(loaded, meta)
    expect(loaded.filter((url) => filesHolding(meta, simulatorCode).includes(url))).toEqual([])
    // for the idle footprint: SSH and the image store's HTTP client load on first use
    expect(loadedOf('ssh2', loaded, meta)).toEqual([])
    expect(loadedOf('undici', loaded, meta)).toEqual([])
    expect(loadedOf('@fastify/swagger-ui', loaded, meta)).toEqual([])
    // fastify itself is bundled: none of its files is loaded from node_modules
    expect(loaded.filter((url) => url.includes('/node_modules/fastify/'))).toEqual([])
  })

  it('with the api driver on a (loopback) cluster loads no chunk of the simulator', async () => {
    // the cluster: a simulator's HTTPS face in this test process, not in the service
    target = await startHttpsTarget()
    const loaded = await modulesLoadedBy('api', {
      PVE_DRIVER: 'api',
      MAIN_NODE: 'pve1',
      GATEWAY: '127.0.0.1',
      PVE_API_URL: target.face.url,
      PVE_TOKEN_ID: 'pve-qemu@pve!contract',
      PVE_TOKEN_SECRET: target.secret,
      PVE_TLS_FINGERPRINT: target.face.fingerprint256,
    })
    const meta = readBundleMeta()
    expectTheBundleRan(loaded, meta)
    expect(loaded.filter((url) => filesHolding(meta, simulatorCode).includes(url))).toEqual([])
    expect(loadedOf('ssh2', loaded, meta)).toEqual([])
    // the driver talks to Proxmox through Node's own HTTPS client (it checked the token's
    // privileges before the first ok); undici is the image downloads' and loads with the first
    expect(loadedOf('undici', loaded, meta)).toEqual([])
  })

  it('reaches src/sim from src/main.ts by no static import (only the dynamic one)', () => {
    const reached = staticImports(join(root, 'src', 'main.ts'))
    expect([...reached].some((file) => file.endsWith('/src/create-service.ts'))).toBe(true)
    expect([...reached].filter((file) => file.includes('/src/sim/'))).toEqual([])
    expect([...reached].filter((file) => file.endsWith('/src/start-simulated.ts'))).toEqual([])
  })
})

/** Our files `entry` reaches through value imports and re-exports (type-only ones are erased). */
function staticImports(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen
  seen.add(entry)
  const source = ts.createSourceFile(entry, readFileSync(entry, 'utf8'), ts.ScriptTarget.ES2022)
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined
    if (
      ts.isImportDeclaration(statement) &&
      statement.importClause?.phaseModifier !== ts.SyntaxKind.TypeKeyword
    ) {
      specifier = statement.moduleSpecifier
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      specifier = statement.moduleSpecifier
    }
    if (specifier === undefined || !ts.isStringLiteral(specifier)) continue
    if (!specifier.text.startsWith('.')) continue
    const file = join(entry, '..', specifier.text.replace(/\.js$/, '.ts'))
    staticImports(file, seen)
  }
  return seen
}
