import { resolve } from 'node:path'
import type { InstallConfig } from '../config.js'
import type { EnvReader } from '../env-reader.js'
import { snippetVolidPattern } from '../patterns.js'

const timezonePattern = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/
const urlPattern = /^https?:\/\/[^\s@]+$/

/** Reads where images come from and go, and how new guests are reached. */
export function readInstallSection(
  env: EnvReader,
  dataDir: string,
  simulated: boolean,
): InstallConfig {
  const imageDir = resolve(dataDir, env.text('IMAGE_DIR') ?? 'images')
  const debian = env.matching('IMAGE_MIRROR_DEBIAN', urlPattern, 'an http(s) URL')
  const ubuntu = env.matching('IMAGE_MIRROR_UBUNTU', urlPattern, 'an http(s) URL')
  const rocky = env.matching('IMAGE_MIRROR_ROCKYLINUX', urlPattern, 'an http(s) URL')
  return {
    imageDir,
    mirrors: {
      ...(debian === undefined ? {} : { debian }),
      ...(ubuntu === undefined ? {} : { ubuntu }),
      ...(rocky === undefined ? {} : { rockylinux: rocky }),
    },
    guestSshPort: env.integer('GUEST_SSH_PORT', { min: 1, max: 65535 }) ?? (simulated ? 2222 : 22),
    guestSshTimeoutMs:
      (env.integer('GUEST_SSH_TIMEOUT', { min: 5, max: 3600, unit: 's' }) ?? 300) * 1000,
    timezone:
      env.matching('TIMEZONE', timezonePattern, 'an IANA time zone such as UTC or Europe/Berlin') ??
      'UTC',
    adminKeysFile: env.text('ADMIN_KEYS_FILE'),
    storageQueueConcurrency: env.integer('STORAGE_QUEUE_CONCURRENCY', { min: 1, max: 16 }) ?? 4,
    guestAgentVendorData: env.matching(
      'GUEST_AGENT_VENDOR_DATA',
      snippetVolidPattern,
      'a snippets volume id <storage>:snippets/<file>, such as local:snippets/pve-qemu-agent.yaml',
    ),
  }
}
