import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { problemsOf } from '../helpers/config-problems.js'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pve-qemu-config-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function writeEnvFile(text: string): string {
  const file = join(dir, '.env')
  writeFileSync(file, text)
  return file
}

describe('loadConfig', () => {
  it('reads the env file, with comments and quoted values', () => {
    const envFile = writeEnvFile(
      [
        '# a comment',
        'PORT=9001',
        'NODE_pve1=127.0.0.11',
        'VM_ROOT_PASSWORD="pa ss#word"',
        'SIM_NODES=',
      ].join('\n'),
    )
    const config = loadConfig({}, { envFile })
    expect(config.http.port).toBe(9001)
    expect(config.pve.nodes).toEqual([{ name: 'pve1', ip: '127.0.0.11' }])
    expect(config.vm.rootPassword?.reveal()).toBe('pa ss#word')
  })

  it('lets the real environment win over the file', () => {
    const envFile = writeEnvFile('PORT=9001\nLOG_LEVEL=debug\n')
    const config = loadConfig({ PORT: '9002', LOG_LEVEL: undefined }, { envFile })
    expect(config.http.port).toBe(9002)
    expect(config.logLevel).toBe('debug')
  })

  it('treats a variable set empty in the environment as unset, even if the file sets it', () => {
    const envFile = writeEnvFile('PORT=9001\n')
    expect(loadConfig({ PORT: '' }, { envFile }).http.port).toBe(8080)
  })

  it('reports problems from the file and the environment together', () => {
    const envFile = writeEnvFile('ASSIGN_IP_START=99\n')
    expect(problemsOf(() => loadConfig({ VM_MAX_CPU: '64' }, { envFile }))).toEqual([
      'ASSIGN_IP_START: must be an integer from 100 to 254, got "99"',
      'VM_MAX_CPU: must be an integer from 1 to 32, got "64"',
    ])
  })

  it('reports a named env file that does not exist, with the other problems', () => {
    const envFile = join(dir, 'missing.env')
    expect(problemsOf(() => loadConfig({ PORT: 'x' }, { envFile }))).toEqual([
      `env file ${envFile}: does not exist`,
      'PORT: must be an integer from 1 to 65535, got "x"',
    ])
  })

  it('reports an env file that cannot be read', () => {
    const envFile = join(dir, 'a-directory')
    mkdirSync(envFile)
    expect(problemsOf(() => loadConfig({}, { envFile }))).toEqual([
      `env file ${envFile}: cannot be read (EISDIR)`,
    ])
  })

  it('does without a .env in the working directory', () => {
    const before = process.cwd()
    process.chdir(dir)
    try {
      expect(loadConfig({}).http.port).toBe(8080)
      writeEnvFile('PORT=9003\n')
      expect(loadConfig({}).http.port).toBe(9003)
    } finally {
      process.chdir(before)
    }
  })
})
