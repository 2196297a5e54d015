import type { StepEvent } from '../provision/progress.js'

/** A generated password and where it logs in, as the caller that started the install gets it. */
export interface Credentials {
  password: string
  vmid?: number
  ip?: string
  user?: string
  ssh?: string
}

/** What a request for a job's credentials finds. */
export type CredentialsLookup =
  | { kind: 'found'; credentials: Credentials }
  | { kind: 'none' }
  | { kind: 'taken'; at: number }
  | { kind: 'expired' }
  | { kind: 'forbidden'; owner: string }

/**
 * Generated passwords, in memory only (never on disk, never in the store): each can be read
 * once, within `ttlMs` (24 h), by the caller that started its job — the same API token, or
 * anyone when no token is configured (every caller is then `anonymous`). A closed browser tab
 * or a Ctrl-C before the end of an install no longer loses the only copy.
 */
export interface CredentialVault {
  /** Records who started a job, before its work runs. */
  own(jobId: string, owner: string): void
  /** Feeds one event of the job: a sensitive `Password: …` is kept, the result completes it. */
  observe(jobId: string, event: StepEvent): void
  /** Hands the credentials over once to their owner; the password is forgotten then. */
  take(jobId: string, caller: string): CredentialsLookup
}

interface Entry {
  owner: string
  keptAt: number
  credentials: Credentials | undefined
  takenAt: number | undefined
}

export interface CredentialVaultOptions {
  /** how long a password can be retrieved; default 24 h */
  ttlMs?: number
  now?: () => number
}

const defaultTtlMs = 24 * 60 * 60 * 1000
const passwordLine = /^\[\*\] Password: (.+)$/s

export function createCredentialVault(options: CredentialVaultOptions = {}): CredentialVault {
  const ttlMs = options.ttlMs ?? defaultTtlMs
  const now = options.now ?? Date.now
  const entries = new Map<string, Entry>()

  /** Forgets what is older than the TTL, so the map never grows without end. */
  const sweep = (): void => {
    const limit = now() - ttlMs
    for (const [id, entry] of entries) {
      if (entry.keptAt >= limit) continue
      if (entry.credentials !== undefined) entry.credentials.password = ''
      entries.delete(id)
      expired.add(id)
    }
  }
  // ids whose password ran out unread, so the answer says expired rather than never made
  const expired = new Set<string>()

  return {
    own(jobId, owner) {
      sweep()
      entries.set(jobId, { owner, keptAt: now(), credentials: undefined, takenAt: undefined })
    },
    observe(jobId, event) {
      const entry = entries.get(jobId)
      if (entry === undefined || entry.takenAt !== undefined) return
      const password = event.sensitive === true ? passwordLine.exec(event.message)?.[1] : undefined
      if (password !== undefined) {
        entry.keptAt = now()
        entry.credentials = {
          password,
          ...(event.vmId === undefined ? {} : { vmid: event.vmId }),
          ...(event.ip === undefined ? {} : { ip: event.ip }),
        }
        return
      }
      const { result } = event
      if (result !== undefined && entry.credentials !== undefined) {
        Object.assign(entry.credentials, {
          vmid: result.vmid,
          ip: result.ip,
          user: result.user,
          ssh: result.ssh,
        })
      }
    },
    take(jobId, caller) {
      sweep()
      const entry = entries.get(jobId)
      if (entry === undefined) return expired.has(jobId) ? { kind: 'expired' } : { kind: 'none' }
      if (entry.owner !== caller) return { kind: 'forbidden', owner: entry.owner }
      if (entry.takenAt !== undefined) return { kind: 'taken', at: entry.takenAt }
      const { credentials } = entry
      if (credentials === undefined) return { kind: 'none' }
      entry.credentials = undefined
      entry.takenAt = now()
      return { kind: 'found', credentials }
    },
  }
}
