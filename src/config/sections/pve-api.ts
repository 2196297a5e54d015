import { existsSync } from 'node:fs'

import type { PveApiConfig, PveConfig } from '../config.js'
import { quote, type EnvReader } from '../env-reader.js'

const tokenIdPattern = /^[^\s!@:=]+@[A-Za-z][A-Za-z0-9._-]+![A-Za-z][A-Za-z0-9._-]+$/
const fingerprintPattern = /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/

/** `https://host[:port]`, optionally with PVE's `/api2/json` path; nothing else. */
function readApiUrl(env: EnvReader): string | undefined {
  const value = env.text('PVE_API_URL')
  if (value === undefined) return undefined
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  const path = url?.pathname.replace(/\/+$/, '') ?? ''
  if (
    url?.protocol !== 'https:' ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    (path !== '' && path !== '/api2/json')
  ) {
    env.problem(
      'PVE_API_URL',
      `must be the https address of a Proxmox node such as https://pve1.example.com:8006, got ${quote(value)}`,
    )
    return undefined
  }
  return url.origin
}

/**
 * Reads how the api driver reaches Proxmox's REST API: URL, token, and how the node's
 * certificate is trusted. Certificate checks stay on unless `PVE_TLS_INSECURE=1` says so;
 * a CA file and a pinned fingerprint are alternatives, not companions.
 */
export function readPveApiSection(env: EnvReader, pve: PveConfig): PveApiConfig {
  const url = readApiUrl(env)
  const tokenId = env.matching(
    'PVE_TOKEN_ID',
    tokenIdPattern,
    'an API token id user@realm!tokenname, such as pve-qemu@pve!service',
  )
  const tokenSecret = env.secret('PVE_TOKEN_SECRET')
  const caFile = env.text('PVE_CA_FILE')
  if (caFile !== undefined && !existsSync(caFile)) {
    env.problem('PVE_CA_FILE', `names no readable file: ${quote(caFile)}`)
  }
  const tlsFingerprint = env.matching(
    'PVE_TLS_FINGERPRINT',
    fingerprintPattern,
    'a SHA-256 certificate fingerprint (64 hex digits, colons allowed), as pvenode cert info shows',
  )
  const tlsInsecure = env.oneOf('PVE_TLS_INSECURE', ['0', '1']) === '1'

  const trustSettings = [
    caFile === undefined ? undefined : 'PVE_CA_FILE',
    env.text('PVE_TLS_FINGERPRINT') === undefined ? undefined : 'PVE_TLS_FINGERPRINT',
    tlsInsecure ? 'PVE_TLS_INSECURE=1' : undefined,
  ].filter((name) => name !== undefined)
  if (trustSettings.length > 1) {
    env.problem(
      trustSettings[0] ?? 'PVE_CA_FILE',
      `set only one of ${trustSettings.join(', ')}: they are different ways to trust the node`,
    )
  }
  if (url !== undefined) {
    if (pve.driver !== 'api') {
      env.problem('PVE_API_URL', `is only used with PVE_DRIVER=api, not ${pve.driver}`)
    }
    if (env.text('PVE_TOKEN_ID') === undefined) {
      env.problem('PVE_TOKEN_ID', 'is required with PVE_API_URL: the API token id user@realm!name')
    }
    if (tokenSecret === undefined) {
      env.problem('PVE_TOKEN_SECRET', "is required with PVE_API_URL: the API token's secret")
    }
    if (env.text('MAIN_NODE') === undefined) {
      env.problem('MAIN_NODE', 'is required with PVE_API_URL: the node new VMs are created on')
    }
  } else {
    const orphans = [
      'PVE_TOKEN_ID',
      'PVE_TOKEN_SECRET',
      'PVE_CA_FILE',
      'PVE_TLS_FINGERPRINT',
    ] as const
    for (const name of orphans) {
      if (env.text(name) !== undefined) env.problem(name, 'needs PVE_API_URL to be set as well')
    }
  }
  return { url, tokenId, tokenSecret, caFile, tlsFingerprint, tlsInsecure }
}
