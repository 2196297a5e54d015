import type { VmListReply } from '../../src/http/schemas/vm.js'
import {
  ApiError,
  call,
  fetchCredentials,
  fetchEstimates,
  fetchJobs,
  fetchOsList,
  fetchVmInfo,
  fetchVmList,
  getJson,
  storeToken,
  storedToken,
  whenUnauthorized,
  type JobRow,
  type StageEstimates,
  type VmInfo,
} from './api.js'
import { fill } from './dom.js'
import { streamJob } from './sse.js'
import { applyEvent, emptyProgress } from './stages.js'
import { detailView, hinted, type ChangeKind } from './views/detail.js'
import { fillNodeChoices, fillOsChoices, readInstallForm } from './views/install-form.js'
import { setUpPlanButton } from './views/install-plan.js'
import { jobRows } from './views/jobs.js'
import { nodeCards } from './views/nodes.js'
import { progressCards, type WatchedJob } from './views/progress.js'
import { vmRows, type ListedVm, type VmAction } from './views/vms.js'

const refreshMs = 4000
const busy = new Set<number>()
/** every job followed on this page, oldest first; each keeps its own card */
const watched: WatchedJob[] = []
let nextKey = 1
let listing: VmListReply | undefined
let jobs: JobRow[] | undefined
let estimates: StageEstimates = {}
let detail: { vmid: number; info: VmInfo | undefined; error: string | undefined } | undefined

function showBanner(message: string | undefined): void {
  const banner = document.getElementById('banner')
  if (banner === null) return
  banner.hidden = message === undefined
  banner.textContent = message ?? ''
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function render(): void {
  if (listing !== undefined) {
    fill('nodes', ...nodeCards(listing.nodes))
    fill('vm-rows', ...vmRows(listing.vms, busy, (vm, action) => void act(vm, action)))
    const running = listing.vms.filter((vm) => vm.running).length
    fill(
      'cluster-summary',
      `${listing.nodes.length} nodes · ${listing.vms.length} VMs · ${running} running`,
    )
  }
  fill('job-rows', ...jobRows(jobs, (job) => watchJob(job)))
  fill(
    'progress',
    ...progressCards(
      watched,
      estimates,
      {
        cancel: (id) => void cancelJob(id),
        close: (key) => {
          const index = watched.findIndex((job) => job.key === key)
          if (index >= 0) watched.splice(index, 1)
          render()
        },
        credentials: (job) => void showCredentials(job),
      },
      Date.now(),
    ),
  )
  renderDetail()
}

/** What the detail pane shows now: redrawn only when it changes, so typing is never lost. */
let shownDetail:
  { info: VmInfo | undefined; error: string | undefined; locked: boolean } | undefined

function renderDetail(): void {
  const pane = document.getElementById('detail')
  if (pane === null) return
  pane.hidden = detail === undefined
  if (detail === undefined) {
    shownDetail = undefined
    return
  }
  if (detail.info === undefined) {
    fill('detail-body', detail.error ?? `Loading VM ${detail.vmid}…`)
    return
  }
  const listed: ListedVm | undefined = listing?.vms.find((vm) => vm.vmid === detail?.vmid)
  const locked = listed?.installing !== undefined || listed?.protected === true
  if (
    shownDetail?.info === detail.info &&
    shownDetail.error === detail.error &&
    shownDetail.locked === locked
  )
    return
  shownDetail = { info: detail.info, error: detail.error, locked }
  fill(
    'detail-body',
    ...detailView(
      detail.info,
      (listing?.nodes ?? []).map((node) => node.node),
      {
        change: (vmid, kind, value) => void change(vmid, kind, value),
        close: () => {
          detail = undefined
          render()
        },
      },
      locked,
    ),
  )
}

async function refresh(): Promise<void> {
  try {
    const [list, history] = await Promise.all([fetchVmList(), fetchJobs()])
    listing = list
    jobs = history
    const form = document.getElementById('install-form')
    if (form instanceof HTMLFormElement)
      fillNodeChoices(
        form,
        list.nodes.map((node) => node.node),
      )
    showBanner(undefined)
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401))
      showBanner(`Cannot load the cluster: ${describe(error)}`)
  }
  render()
}

/** The open detail pane as it is now (it may have been closed while a read was on its way). */
function currentDetail(): typeof detail {
  return detail
}

async function loadDetail(vmid: number): Promise<void> {
  detail = { vmid, info: detail?.vmid === vmid ? detail.info : undefined, error: undefined }
  render()
  try {
    const info = await fetchVmInfo(vmid)
    const open = currentDetail()
    if (open?.vmid === vmid) open.info = info
  } catch (error) {
    const open = currentDetail()
    if (open?.vmid === vmid) open.error = `VM ${vmid}: ${describe(error)}`
  }
  render()
}

/** Follows a streamed operation in a card of its own until it ends; others keep theirs. */
async function watch(
  title: string,
  type: string,
  path: string,
  init: RequestInit & { json?: unknown },
): Promise<WatchedJob> {
  const controller = new AbortController()
  const job: WatchedJob = {
    key: nextKey++,
    title,
    type,
    jobId: undefined,
    progress: emptyProgress(),
    state: 'running',
    startedAt: Date.now(),
    stageSince: Date.now(),
    error: undefined,
    credentials: undefined,
  }
  watched.push(job)
  render()
  try {
    await streamJob(
      path,
      init,
      {
        onJob: (id) => {
          job.jobId = id
          render()
        },
        onEvent: (event) => {
          const before = job.progress.stage
          applyEvent(job.progress, event)
          if (job.progress.stage !== before) job.stageSince = Date.now()
          render()
        },
      },
      controller.signal,
    )
    job.state = job.progress.failure === undefined ? 'succeeded' : await endState(job)
  } catch (error) {
    if (job.progress.stages.length === 0) {
      job.state = 'failed'
      job.error = describe(error)
    } else {
      job.state = 'detached'
      job.error = describe(error)
    }
  }
  render()
  void refresh()
  void loadEstimates()
  if (detail !== undefined) void loadDetail(detail.vmid)
  return job
}

/** A job that ended with an error event was cancelled or failed: its state says which. */
async function endState(job: WatchedJob): Promise<'failed' | 'cancelled'> {
  if (job.jobId === undefined) return 'failed'
  try {
    const body = await getJson(`/api/jobs/${encodeURIComponent(job.jobId)}`)
    const state =
      typeof body === 'object' && body !== null && 'job' in body ? stateOf(body.job) : undefined
    return state === 'cancelled' ? 'cancelled' : 'failed'
  } catch {
    return 'failed'
  }
}

function stateOf(job: unknown): string | undefined {
  return typeof job === 'object' && job !== null && 'state' in job && typeof job.state === 'string'
    ? job.state
    : undefined
}

async function loadEstimates(): Promise<void> {
  try {
    estimates = await fetchEstimates()
  } catch {
    // no ETA then; the bar still counts stages
  }
}

async function showCredentials(job: WatchedJob): Promise<void> {
  if (job.jobId === undefined) return
  try {
    job.credentials = await fetchCredentials(job.jobId)
  } catch (error) {
    showBanner(`Password of job ${job.jobId}: ${describe(error)}`)
  }
  render()
}

async function cancelJob(jobId: string): Promise<void> {
  try {
    await call(`/api/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' })
  } catch (error) {
    showBanner(`Cancel job ${jobId}: ${describe(error)}`)
  }
}

function watchJob(job: JobRow): void {
  const open = watched.find((entry) => entry.jobId === job.id && entry.state === 'running')
  if (open !== undefined) return
  const title = `${job.type}${job.vmid === undefined ? '' : ` VM ${job.vmid}`}`
  void watch(title, job.type, `/api/jobs/${encodeURIComponent(job.id)}/events`, { method: 'GET' })
}

async function act(vm: ListedVm, action: VmAction): Promise<void> {
  if (action === 'details') {
    await loadDetail(vm.vmid)
    document.getElementById('detail')?.scrollIntoView({ block: 'nearest' })
    return
  }
  if (
    action === 'destroy' &&
    !window.confirm(`Destroy VM ${vm.vmid} (${vm.name}) and all its disks?`)
  )
    return
  busy.add(vm.vmid)
  render()
  if (action === 'start' || action === 'reboot') {
    await watch(`${action} VM ${vm.vmid}`, action, `/api/vm/${vm.vmid}/${action}`, {
      method: 'POST',
    })
    busy.delete(vm.vmid)
    await refresh()
    return
  }
  try {
    await call(`/api/vm/${vm.vmid}/${action}`, { method: 'POST' })
    showBanner(undefined)
  } catch (error) {
    showBanner(`${action} VM ${vm.vmid}: ${describe(error)}`)
  } finally {
    busy.delete(vm.vmid)
  }
  await refresh()
}

/** A change from the detail pane: cpu, memory and disk answer at once; a migration streams. */
async function change(vmid: number, kind: ChangeKind, value: string): Promise<void> {
  busy.add(vmid)
  render()
  try {
    if (kind === 'node') {
      await watch(`migrate VM ${vmid} to ${value}`, 'migrate', `/api/vm/${vmid}/set/node`, {
        method: 'POST',
        json: { node: value },
      })
    } else {
      const body = kind === 'disk' ? { disk: value } : { [kind]: Number(value) }
      await call(`/api/vm/${vmid}/set/${kind}`, { method: 'POST', json: body })
      showBanner(undefined)
    }
  } catch (error) {
    showBanner(`set ${kind} of VM ${vmid}: ${describe(error)}`)
  } finally {
    busy.delete(vmid)
  }
  await refresh()
  await loadDetail(vmid)
}

/** Hints the browser shows for a field it refuses, instead of its generic wording. */
const formHints: Record<string, string> = {
  name: 'letters, digits and hyphens (not first or last), at most 63 characters, e.g. web-01',
  disk: 'a size in G (or M, T), at least 16G, e.g. 20G',
  cpu: 'vCPU cores: a whole number from 1 to 32',
  ram: 'memory in MB, at least 512, e.g. 4096',
  id: 'a VMID from 100 up; empty picks the next free one',
  user: 'a Linux user name: lower-case letters, digits, _ and -, starting with a letter',
}

function setUpInstallForm(): void {
  const form = document.getElementById('install-form')
  if (!(form instanceof HTMLFormElement)) return
  for (const [name, hint] of Object.entries(formHints)) {
    const field = form.elements.namedItem(name)
    if (field instanceof HTMLInputElement) hinted(field, hint)
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const body = readInstallForm(form)
    const title = `install ${String(body.os ?? '')} ${String(body.version ?? '')}`
    const error = document.getElementById('install-error')
    if (error !== null) error.textContent = ''
    void watch(title, 'install', '/api/vm/install', { method: 'POST', json: body }).then((job) => {
      if (job.state === 'failed' && job.progress.stages.length === 0 && error !== null)
        error.textContent = job.error ?? ''
    })
  })
  fetchOsList()
    .then((releases) => fillOsChoices(form, releases))
    .catch((failure: unknown) => showBanner(`Cannot load the OS list: ${describe(failure)}`))
}

function setUpToken(): void {
  const dialog = document.getElementById('token-dialog')
  const input = document.getElementById('token-input')
  const note = document.getElementById('token-note')
  if (!(dialog instanceof HTMLDialogElement) || !(input instanceof HTMLInputElement)) return
  // once dismissed, a refresh answered 401 does not pop the dialog up again every few seconds
  let dismissed = false
  const open = (rejected: boolean): void => {
    input.value = storedToken() ?? ''
    if (note !== null)
      note.textContent = rejected
        ? 'The service rejected this token (401). Enter another one.'
        : 'This service needs a token. It is kept in this browser only.'
    if (!dialog.open) dialog.showModal()
  }
  whenUnauthorized((rejected) => {
    if (dismissed)
      showBanner(
        rejected
          ? 'The API token was rejected: use the API token button to enter another one.'
          : 'This service needs an API token: use the API token button.',
      )
    else open(rejected)
  })
  document.getElementById('token-button')?.addEventListener('click', () => open(false))
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'save') {
      dismissed = true
      return
    }
    dismissed = false
    storeToken(input.value.trim())
    void refresh()
    const form = document.getElementById('install-form')
    if (form instanceof HTMLFormElement)
      fetchOsList()
        .then((releases) => fillOsChoices(form, releases))
        .catch(() => undefined)
  })
}

/**
 * The Docs and Metrics links: a plain link cannot send the token, so with one stored the page
 * fetches the document with it and opens what came back.
 */
function setUpTokenLinks(): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-with-token]')) {
    link.addEventListener('click', (event) => {
      if (storedToken() === undefined) return
      event.preventDefault()
      const target = link.dataset.withToken ?? link.pathname
      const opened = window.open('', '_blank')
      call(target)
        .then(async (response) => {
          const blob = new Blob([await response.text()], {
            type: response.headers.get('content-type') ?? 'text/plain',
          })
          const url = URL.createObjectURL(blob)
          if (opened === null) window.location.assign(url)
          else opened.location.assign(url)
        })
        .catch((error: unknown) => {
          opened?.close()
          showBanner(`${link.textContent}: ${describe(error)}`)
        })
    })
  }
}

setUpToken()
setUpTokenLinks()
setUpInstallForm()
setUpPlanButton()
void loadEstimates()
void refresh()
setInterval(() => void refresh(), refreshMs)
// the ETA of running jobs counts down between events
setInterval(() => {
  if (watched.some((job) => job.state === 'running')) render()
}, 1000)
