import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const work = mkdtempSync(join(tmpdir(), 'pve-qemu-package-'))

afterAll(() => rmSync(work, { recursive: true, force: true }))

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: process.env })
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${String(result.status)}):\n${result.stderr}`,
    )
  }
  return result.stdout
}

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  return typeof address === 'object' && address !== null ? address.port : 0
}

/** The path of better-sqlite3's compiled addon under a node_modules folder. */
const sqliteAddon = (modules: string): string =>
  join(modules, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')

describe('the npm package', () => {
  it('installs from its tarball alone and serves the API and the dashboard', async () => {
    // what `npm pack` makes (prepack builds what is stale and adds the pinned shrinkwrap)
    const packed = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work], root)) as {
      filename: string
      files: { path: string }[]
    }[]
    const tarball = join(work, packed[0]?.filename ?? '')
    const files = (packed[0]?.files ?? []).map((file) => file.path)
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/pve-qemu.js',
        'dist/main.js',
        'dist/cli/main.js',
        'web/dist/app.js',
        'web/dist/index.html',
        'deploy/pve-qemu.service',
        'npm-shrinkwrap.json',
      ]),
    )
    expect(files.filter((path) => path.startsWith('src/') || path.startsWith('test/'))).toEqual([])
    // what runs is the bundle (scripts/bundle.mjs): its entry points and chunks, not tsc's tree
    // of modules (build/), no source maps
    expect(files).toContain('dist/conformance/main.js')
    expect(files.filter((path) => /^dist\/chunks\/[^/]+\.js$/.test(path))).not.toEqual([])
    expect(
      files.filter(
        (path) =>
          path.startsWith('dist/') &&
          !/^dist\/((cli\/|conformance\/)?main|chunks\/[^/]+)\.js$/.test(path),
      ),
    ).toEqual([])
    expect(files.filter((path) => path.startsWith('build/'))).toEqual([])
    expect(existsSync(join(root, 'npm-shrinkwrap.json'))).toBe(false)

    // installed the way a node gets it, offline: the package's own files plus its pinned runtime
    // dependencies from the npm cache the checkout's `npm ci` filled. Install scripts are skipped
    // (better-sqlite3's would compile its addon for a minute); the addon the checkout built, the
    // same version for the same Node, is put in its place instead.
    const home = join(work, 'install')
    mkdirSync(home)
    run('tar', ['xzf', tarball, '-C', home], work)
    const pkg = join(home, 'package')
    run(npm, ['ci', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], pkg)
    const installed = readdirSync(join(pkg, 'node_modules'))
    // eventsource-parser is the command's alone, and the bundle (dist/cli/main.js) carries it
    for (const devOnly of [
      'tsx',
      'esbuild',
      'typescript',
      'vitest',
      'dotenv',
      'eventsource-parser',
    ]) {
      expect(installed).not.toContain(devOnly)
    }
    mkdirSync(join(sqliteAddon(join(pkg, 'node_modules')), '..'), { recursive: true })
    copyFileSync(sqliteAddon(join(root, 'node_modules')), sqliteAddon(join(pkg, 'node_modules')))

    const port = await freePort()
    const dataDir = join(work, 'data')
    const child = spawn(
      process.execPath,
      [join(pkg, 'bin', 'pve-qemu.js'), 'serve', '--port', String(port), '--host', '127.0.0.1'],
      {
        cwd: work,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: work,
          DATA_DIR: dataDir,
          SIM_SPEED: '0',
          GUEST_SSH_PORT: String(await freePort()),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    try {
      let output = ''
      await new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer): void => {
          output += chunk.toString('utf8')
          if (output.includes('listening on http://127.0.0.1:')) resolve()
        }
        child.stdout.on('data', onData)
        child.stderr.on('data', onData)
        child.once('exit', (code) => reject(new Error(`exited (${String(code)}):\n${output}`)))
      })
      const url = `http://127.0.0.1:${port}`
      const health = await fetch(`${url}/api/health`)
      expect(await health.text()).toBe('ok')
      const page = await fetch(`${url}/`)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('<script')
      const script = await fetch(`${url}/app.js`)
      expect(script.status).toBe(200)
    } finally {
      child.kill('SIGTERM')
      if (child.exitCode === null) await once(child, 'exit')
    }
    expect(child.exitCode).toBe(0)
  }, 180_000)
})
