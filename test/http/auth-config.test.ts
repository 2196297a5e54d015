import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../src/config/index.js'
import { describeAuth, hashApiToken } from '../../src/config/sections/auth.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pve-qemu-auth-config-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function problemsOf(vars: Record<string, string>): readonly string[] {
  try {
    parseConfig(vars, { cwd: dir })
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

const token = 'Abcdefghijklmnop-0123'

describe('access settings', () => {
  it('keep tokens only as hashes, named or numbered', () => {
    const config = parseConfig({ API_TOKENS: `ci:${token}, another-token-of-16` }, { cwd: dir })
    expect(config.auth.tokens).toEqual([
      { name: 'ci', sha256: hashApiToken(token) },
      { name: 'token-2', sha256: hashApiToken('another-token-of-16') },
    ])
    expect(JSON.stringify(config)).not.toContain(token)
  })

  it('name the bad entry of API_TOKENS without repeating the token', () => {
    const problems = problemsOf({
      API_TOKENS: `ci:${token},short-secret,ci:${token}x, bad name:${token}`,
    })
    expect(problems).toEqual([
      'API_TOKENS: entry 2: a token must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -',
      'API_TOKENS: entry 4: the name before ":" must be letters, digits, _ . -',
      'API_TOKENS: names "ci" twice',
    ])
    expect(problems.join('\n')).not.toContain('short-secret')
  })

  it('read API_TOKENS_FILE relative to the working directory and report its bad lines', () => {
    writeFileSync(
      join(dir, 'tokens'),
      `# team\nalice sha256:${hashApiToken(token)}\nbob ${token}\ncarol sha256:${hashApiToken(token)}\n`,
    )
    expect(problemsOf({ API_TOKENS_FILE: 'tokens' })).toEqual([
      `API_TOKENS_FILE: ${join(dir, 'tokens')} line 3: expected "<name> sha256:<64 lowercase hex digits>"`,
      'API_TOKENS: holds one token twice (the second is named "carol")',
    ])
    expect(problemsOf({ API_TOKENS_FILE: 'missing' })[0]).toMatch(
      /^API_TOKENS_FILE: cannot read .*missing: ENOENT/,
    )
  })

  it('expand protected VMIDs and ranges and check the tag', () => {
    const config = parseConfig(
      { PROTECTED_VMIDS: '105, 100-102,101', PROTECTED_TAG: 'Keep' },
      { cwd: dir },
    )
    expect(config.auth.protectedVmids).toEqual([100, 101, 102, 105])
    expect(config.auth.protectedTag).toBe('keep')
    expect(problemsOf({ PROTECTED_VMIDS: '99,200-150', PROTECTED_TAG: 'no spaces' })).toEqual([
      'PROTECTED_TAG: must be a Proxmox tag (letters, digits, _ + . -), got "no spaces"',
      'PROTECTED_VMIDS: entry "99" must be a VMID (100-999999999) or a range such as 100-110',
      'PROTECTED_VMIDS: entry "200-150" must be a VMID (100-999999999) or a range such as 100-110',
    ])
  })

  it('cap concurrent installs', () => {
    expect(parseConfig({}, { cwd: dir }).jobs.maxConcurrentInstalls).toBe(4)
    expect(problemsOf({ MAX_CONCURRENT_INSTALLS: '0' })).toEqual([
      'MAX_CONCURRENT_INSTALLS: must be an integer from 1 to 64, got "0"',
    ])
  })

  it('show up in one start-up line, tokens by name only', () => {
    const config = parseConfig(
      { API_TOKENS: `ci:${token}`, PROTECTED_VMIDS: '100-102,105', PROTECTED_TAG: 'keep' },
      { cwd: dir },
    )
    expect(describeAuth(config.auth, config.jobs)).toBe(
      'access: 1 API token(s) (ci); protected VMs 100-102, 105; VMs tagged keep; at most 4 install(s) at once',
    )
  })
})
