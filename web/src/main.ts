import type { VmListReply } from '../../src/http/schemas/vm.js'
import {
  ApiError,
  call,
  fetchJobs,
  fetchOsList,
  fetchVmList,
  storeToken,
  storedToken,
  whenUnauthorized,
  type JobRow,
} from './api.js'
import { fill } from './dom.js'
import { streamJob } from './sse.js'
import { applyEvent, emptyProgress } from './stages.js'
import { fillNodeChoices, fillOsChoices, readInstallForm } from './views/install-form.js'
import { setUpPlanButton } from './views/install-plan.js'
import { jobRows } from './views/jobs.js'
import { nodeCards } from './views/nodes.js'
import { progressView, type WatchedJob } from './views/progress.js'
import { vmRows, type ListedVm, type VmAction } from './views/vms.js'

const refreshMs = 4000
const busy = new Set<number>()
let watched: WatchedJob | undefined
let stopWatching: AbortController | undefined
let listing: VmListReply | undefined
let jobs: JobRow[] | undefined

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
  if (watched !== undefined) fill('progress', ...progressView(watched, (id) => void cancelJob(id)))
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

/** Follows a streamed operation in the progress panel until it ends. */
async function watch(
  title: string,
  path: string,
  init: RequestInit & { json?: unknown },
): Promise<boolean> {
  stopWatching?.abort()
  const controller = new AbortController()
  stopWatching = controller
  const job: WatchedJob = {
    title,
    jobId: undefined,
    progress: emptyProgress(),
    state: 'running',
    startedAt: Date.now(),
    error: undefined,
  }
  watched = job
  render()
  document.getElementById('progress')?.scrollIntoView({ block: 'nearest' })
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
          applyEvent(job.progress, event)
          render()
        },
      },
      controller.signal,
    )
    job.state = job.progress.failure === undefined ? 'succeeded' : 'failed'
  } catch (error) {
    if (controller.signal.aborted) {
      job.state = 'detached'
      job.error = 'detached; the job goes on in the service'
    } else if (job.progress.stages.length === 0) {
      job.state = 'failed'
      job.error = describe(error)
    } else {
      job.state = 'detached'
      job.error = describe(error)
    }
  }
  render()
  void refresh()
  return job.state === 'succeeded'
}

async function cancelJob(jobId: string): Promise<void> {
  try {
    await call(`/api/jobs/${encodeURIComponent(jobId)}/cancel`, { method: 'POST' })
  } catch (error) {
    showBanner(`Cancel job ${jobId}: ${describe(error)}`)
  }
}

function watchJob(job: JobRow): void {
  const title = `${job.type}${job.vmid === undefined ? '' : ` VM ${job.vmid}`}`
  void watch(title, `/api/jobs/${encodeURIComponent(job.id)}/events`, { method: 'GET' })
}

async function act(vm: ListedVm, action: VmAction): Promise<void> {
  if (
    action === 'destroy' &&
    !window.confirm(`Destroy VM ${vm.vmid} (${vm.name}) and all its disks?`)
  )
    return
  if (action === 'start' || action === 'reboot') {
    busy.add(vm.vmid)
    render()
    await watch(`${action} VM ${vm.vmid}`, `/api/vm/${vm.vmid}/${action}`, { method: 'POST' })
    busy.delete(vm.vmid)
    await refresh()
    return
  }
  busy.add(vm.vmid)
  render()
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

function setUpInstallForm(): void {
  const form = document.getElementById('install-form')
  if (!(form instanceof HTMLFormElement)) return
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const body = readInstallForm(form)
    const title = `install ${String(body.os ?? '')} ${String(body.version ?? '')}`
    const error = document.getElementById('install-error')
    if (error !== null) error.textContent = ''
    void watch(title, '/api/vm/install', { method: 'POST', json: body }).then((ok) => {
      if (!ok && watched?.progress.stages.length === 0 && error !== null)
        error.textContent = watched.error ?? ''
    })
  })
  fetchOsList()
    .then((releases) => fillOsChoices(form, releases))
    .catch((failure: unknown) => showBanner(`Cannot load the OS list: ${describe(failure)}`))
}

function setUpToken(): void {
  const dialog = document.getElementById('token-dialog')
  const input = document.getElementById('token-input')
  if (!(dialog instanceof HTMLDialogElement) || !(input instanceof HTMLInputElement)) return
  // once dismissed, a refresh answered 401 does not pop the dialog up again every few seconds
  let dismissed = false
  const open = (): void => {
    input.value = storedToken() ?? ''
    if (!dialog.open) dialog.showModal()
  }
  whenUnauthorized(() => {
    if (dismissed) showBanner('This service needs an API token: use the API token button.')
    else open()
  })
  document.getElementById('token-button')?.addEventListener('click', open)
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

setUpToken()
setUpInstallForm()
setUpPlanButton()
void refresh()
setInterval(() => void refresh(), refreshMs)
