/** `POST /api/vm/install` after schema validation (the seed's fields, plus `network` and `ip`). */
export interface InstallRequest {
  os: string
  version: string
  name?: string
  id?: number
  node?: string
  cpu?: number
  ram?: number
  disk?: string
  user?: string
  passwd?: string
  pubkey?: string
  /** the network's name (NETWORKS_FILE); default the first network */
  network?: string
  /** the address asked for: free and inside the network's pool */
  ip?: string
}

/** The seed's defaults. */
export const installDefaults = {
  cpu: 2,
  ramMb: 2048,
  diskGb: 16,
  minRamMb: 512,
  minDiskGb: 16,
} as const
