import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describeError } from '../../errors.js'
import type { ApiTokenHash, AuthConfig, JobsConfig } from '../config.js'
import { quote, type EnvReader } from '../env-reader.js'

/** Characters of an API token: URL- and header-safe, no separators of our lists. */
const tokenPattern = /^[A-Za-z0-9._~+/=-]{16,256}$/
const tokenNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
const hashPattern = /^sha256:([0-9a-f]{64})$/
/** Proxmox's tag syntax (`pve-tag` in pve-common). */
const tagPattern = /^[a-z0-9_][a-z0-9_+.-]*$/i
const maxVmid = 999_999_999

/**
 * Reads who may call the API and which VMs it must leave alone: API tokens from `API_TOKENS`
 * (kept only as SHA-256 hashes from here on) and `API_TOKENS_FILE` (already hashed), and the
 * protected VMs of `PROTECTED_VMIDS` and `PROTECTED_TAG`. Relative paths resolve against `cwd`.
 */
export function readAuthSection(env: EnvReader, cwd: string): AuthConfig {
  const fromEnv = readEnvTokens(env)
  const fileText = env.text('API_TOKENS_FILE')
  const tokensFile = fileText === undefined ? undefined : resolve(cwd, fileText)
  const fromFile = tokensFile === undefined ? [] : readTokenFile(env, tokensFile)
  const tokens = [...fromEnv, ...fromFile]
  const names = new Set<string>()
  const hashes = new Set<string>()
  for (const token of tokens) {
    if (names.has(token.name)) env.problem('API_TOKENS', `names ${quote(token.name)} twice`)
    if (hashes.has(token.sha256)) {
      env.problem('API_TOKENS', `holds one token twice (the second is named ${quote(token.name)})`)
    }
    names.add(token.name)
    hashes.add(token.sha256)
  }
  const protectedTag = env.matching(
    'PROTECTED_TAG',
    tagPattern,
    'a Proxmox tag (letters, digits, _ + . -)',
  )
  return {
    tokens,
    tokensFile,
    protectedVmids: readVmidList(env),
    protectedTag: protectedTag?.toLowerCase(),
  }
}

/** Reads how many installs may run at once (`MAX_CONCURRENT_INSTALLS`, 1..64, default 4). */
export function readJobsSection(env: EnvReader): JobsConfig {
  return {
    maxConcurrentInstalls: env.integer('MAX_CONCURRENT_INSTALLS', { min: 1, max: 64 }) ?? 4,
  }
}

/** The SHA-256 of a token as the config keeps it: lowercase hex. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

function readEnvTokens(env: EnvReader): ApiTokenHash[] {
  const secret = env.secret('API_TOKENS')
  if (secret === undefined) return []
  const entries = secret
    .reveal()
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  const tokens: ApiTokenHash[] = []
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':')
    const name = colon > 0 ? entry.slice(0, colon) : `token-${index + 1}`
    const token = colon > 0 ? entry.slice(colon + 1) : entry
    // a problem names the entry's position, never its text: it is a secret
    if (!tokenNamePattern.test(name)) {
      env.problem(
        'API_TOKENS',
        `entry ${index + 1}: the name before ":" must be letters, digits, _ . -`,
      )
    } else if (!tokenPattern.test(token)) {
      env.problem(
        'API_TOKENS',
        `entry ${index + 1}: a token must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -`,
      )
    } else {
      tokens.push({ name, sha256: hashApiToken(token) })
    }
  })
  return tokens
}

function readTokenFile(env: EnvReader, path: string): ApiTokenHash[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    env.problem('API_TOKENS_FILE', `cannot read ${path}: ${describeError(error)}`)
    return []
  }
  const tokens: ApiTokenHash[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const [name = '', hash = '', extra] = line.split(/\s+/)
    const digest = hashPattern.exec(hash)?.[1]
    if (extra !== undefined || !tokenNamePattern.test(name) || digest === undefined) {
      env.problem(
        'API_TOKENS_FILE',
        `${path} line ${index + 1}: expected "<name> sha256:<64 lowercase hex digits>"`,
      )
      return
    }
    tokens.push({ name, sha256: digest })
  })
  return tokens
}

function readVmidList(env: EnvReader): number[] {
  const entries = env.list('PROTECTED_VMIDS') ?? []
  const vmids = new Set<number>()
  for (const entry of entries) {
    const match = /^(\d{3,9})(?:-(\d{3,9}))?$/.exec(entry)
    const first = Number(match?.[1])
    const last = match?.[2] === undefined ? first : Number(match[2])
    if (match === null || first < 100 || last > maxVmid || last < first || last - first > 10_000) {
      env.problem(
        'PROTECTED_VMIDS',
        `entry ${quote(entry)} must be a VMID (100-${maxVmid}) or a range such as 100-110`,
      )
      continue
    }
    for (let vmid = first; vmid <= last; vmid += 1) vmids.add(vmid)
  }
  return [...vmids].sort((a, b) => a - b)
}

/** One line for the start-up log; tokens appear by name and count only. */
export function describeAuth(auth: AuthConfig, jobs: JobsConfig): string {
  const tokens =
    auth.tokens.length === 0
      ? 'no API tokens'
      : `${auth.tokens.length} API token(s) (${auth.tokens.map((token) => token.name).join(', ')})`
  const vmids = auth.protectedVmids.length === 0 ? 'none' : compactRanges(auth.protectedVmids)
  const tag = auth.protectedTag === undefined ? '' : `; VMs tagged ${auth.protectedTag}`
  return `access: ${tokens}; protected VMs ${vmids}${tag}; at most ${jobs.maxConcurrentInstalls} install(s) at once`
}

function compactRanges(sorted: readonly number[]): string {
  const parts: string[] = []
  let start = sorted[0]
  let previous = start
  for (const vmid of [...sorted.slice(1), undefined]) {
    if (vmid !== undefined && previous !== undefined && vmid === previous + 1) {
      previous = vmid
      continue
    }
    if (start !== undefined) parts.push(start === previous ? `${start}` : `${start}-${previous}`)
    start = vmid
    previous = vmid
  }
  return parts.join(', ')
}
