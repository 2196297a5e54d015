import type { OsListReply } from '../../src/http/schemas/os.js'
import type { VmListReply } from '../../src/http/schemas/vm.js'

const tokenKey = 'pve-qemu-token'

/** An answer of the service that was not a success; `message` is the service's own text. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export function storedToken(): string | undefined {
  return localStorage.getItem(tokenKey) ?? undefined
}

export function storeToken(token: string): void {
  if (token === '') localStorage.removeItem(tokenKey)
  else localStorage.setItem(tokenKey, token)
}

type UnauthorizedListener = (rejected: boolean) => void
let onUnauthorized: UnauthorizedListener = () => undefined

/** Called when the service answers 401 (`rejected`: a token was sent and refused). */
export function whenUnauthorized(listener: UnauthorizedListener): void {
  onUnauthorized = listener
}

/** fetch with the stored token; an error status becomes an {@link ApiError} with the service's message. */
export async function call(
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Response> {
  const headers = new Headers(init.headers)
  const token = storedToken()
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`)
  const { json, ...rest } = init
  if (json !== undefined) headers.set('content-type', 'application/json')
  const response = await fetch(path, {
    ...rest,
    headers,
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  })
  if (response.ok) return response
  const text = await response.text()
  let message = text
  try {
    const parsed: unknown = JSON.parse(text)
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'message' in parsed &&
      typeof parsed.message === 'string'
    ) {
      message = parsed.message
    }
  } catch {
    // plain text answer
  }
  if (response.status === 401) onUnauthorized(token !== undefined)
  throw new ApiError(response.status, message || `HTTP ${response.status}`)
}

export async function getJson(path: string): Promise<unknown> {
  const response = await call(path)
  return response.json()
}

/** The seed's VM list; the service's schema is the contract, so it is trusted as typed here. */
export async function fetchVmList(): Promise<VmListReply> {
  const body = await getJson('/api/vm/list')
  if (!isObject(body) || !Array.isArray(body.vms) || !Array.isArray(body.nodes)) {
    throw new ApiError(0, 'unexpected VM list')
  }
  return { success: true, vms: body.vms.filter(isListedVm), nodes: body.nodes.filter(isListedNode) }
}

export async function fetchOsList(): Promise<OsListReply['releases']> {
  const body = await getJson('/api/os')
  if (!isObject(body) || !Array.isArray(body.releases)) throw new ApiError(0, 'unexpected OS list')
  return body.releases.filter(isRelease)
}

export interface JobRow {
  id: string
  type: string
  state: string
  vmid: number | undefined
  summary: string | undefined
  created: string | undefined
  error: string | undefined
}

/** `GET /api/jobs`; undefined when this service has no jobs API. */
export async function fetchJobs(): Promise<JobRow[] | undefined> {
  let body: unknown
  try {
    body = await getJson('/api/jobs')
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined
    throw error
  }
  const list: unknown[] = Array.isArray(body)
    ? body
    : isObject(body) && Array.isArray(body.jobs)
      ? body.jobs
      : []
  return list.filter(isObject).flatMap((job): JobRow[] => {
    const { id, type, state } = job
    if (typeof id !== 'string' || typeof type !== 'string' || typeof state !== 'string') return []
    return [
      {
        id,
        type,
        state,
        vmid: typeof job.vmid === 'number' ? job.vmid : undefined,
        summary: typeof job.summary === 'string' ? job.summary : undefined,
        created: stringOf(job.created_at) ?? stringOf(job.createdAt),
        error: typeof job.error === 'string' ? job.error : undefined,
      },
    ]
  })
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isListedVm(value: unknown): value is VmListReply['vms'][number] {
  return (
    isObject(value) &&
    typeof value.vmid === 'number' &&
    typeof value.name === 'string' &&
    typeof value.running === 'boolean'
  )
}

function isListedNode(value: unknown): value is VmListReply['nodes'][number] {
  return isObject(value) && typeof value.node === 'string' && typeof value.cpu === 'number'
}

function isRelease(value: unknown): value is OsListReply['releases'][number] {
  return isObject(value) && typeof value.os === 'string' && typeof value.version === 'string'
}

/** A VM as the list shows it, with the fields the service adds to the original entry. */
export interface VmInfo {
  vmid: number
  name: string
  node: string
  status: string
  uptime: number
  os: string
  ip?: string | undefined
  /** every address, IPv4 first */
  addresses: string[]
  network?: string | undefined
  user?: string | undefined
  ssh?: string | undefined
  config: Record<string, string>
  pending?: Record<string, string>
  jobs: Record<string, unknown>[]
}

/** `GET /api/vm/:id/info`: one VM in full. */
export async function fetchVmInfo(vmid: number): Promise<VmInfo> {
  const body = await getJson(`/api/vm/${vmid}/info`)
  if (!isObject(body) || !isObject(body.vm)) throw new ApiError(0, 'unexpected VM info')
  const vm = body.vm
  const strings = (value: unknown): Record<string, string> =>
    isObject(value)
      ? Object.fromEntries(
          Object.entries(value).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string',
          ),
        )
      : {}
  return {
    vmid: typeof vm.vmid === 'number' ? vm.vmid : 0,
    name: stringOf(vm.name) ?? '',
    node: stringOf(vm.node) ?? '',
    status: stringOf(vm.status) ?? '',
    uptime: typeof vm.uptime === 'number' ? vm.uptime : 0,
    os: stringOf(vm.os) ?? '',
    ip: stringOf(vm.ip),
    addresses: Array.isArray(vm.addresses)
      ? vm.addresses.filter((entry): entry is string => typeof entry === 'string')
      : [],
    network: stringOf(vm.network),
    user: stringOf(vm.user),
    ssh: stringOf(vm.ssh),
    config: strings(vm.config),
    ...(isObject(vm.pending) ? { pending: strings(vm.pending) } : {}),
    jobs: Array.isArray(vm.jobs) ? vm.jobs.filter(isObject) : [],
  }
}

/** Median seconds of each stage of recent successful jobs, by job type, for an ETA. */
export type StageEstimates = Record<string, { step: string; seconds: number }[]>

export async function fetchEstimates(): Promise<StageEstimates> {
  const body = await getJson('/api/jobs/estimates')
  if (!isObject(body) || !isObject(body.estimates)) return {}
  const result: StageEstimates = {}
  for (const [type, value] of Object.entries(body.estimates)) {
    if (!isObject(value) || !Array.isArray(value.stages)) continue
    result[type] = value.stages
      .filter(isObject)
      .flatMap((stage) =>
        typeof stage.step === 'string' && typeof stage.seconds === 'number'
          ? [{ step: stage.step, seconds: stage.seconds }]
          : [],
      )
  }
  return result
}

/** `GET /api/jobs/:id/credentials`: an install's generated password, once. */
export async function fetchCredentials(jobId: string): Promise<Record<string, string>> {
  const body = await getJson(`/api/jobs/${encodeURIComponent(jobId)}/credentials`)
  if (!isObject(body) || !isObject(body.credentials)) throw new ApiError(0, 'unexpected answer')
  return Object.fromEntries(
    Object.entries(body.credentials).map(([key, value]) => [key, String(value)]),
  )
}
