import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { CurrentSteps, JobRunner, JobType } from '../../jobs/index.js'
import {
  addressReadersOf,
  createVmAddresses,
  destroyVm,
  markVms,
  growDisk,
  listCluster,
  planMigration,
  planReboot,
  planStart,
  beginStep,
  readPowerState,
  setCpu,
  setMemory,
  shutdownVm,
  stopVm,
  type LifecycleDeps,
  type PlannedOperation,
} from '../../provision/lifecycle/index.js'
import { addProtectedVmHook } from '../access/protected-vm-hook.js'
import type { VmProtection } from '../access/protected-vms.js'
import { streamJob } from '../job-stream.js'
import {
  ListedVmSchema,
  SetCpuBody,
  SetDiskBody,
  SetMemoryBody,
  SetNodeBody,
  VmIdParams,
  VmListReply,
} from '../schemas/vm.js'

export interface VmRoutesOptions {
  lifecycle: LifecycleDeps
  jobs: JobRunner
  /** protected VMs: listed and marked, never stopped, changed or destroyed (403) */
  protection?: VmProtection
  /** tags that name an OS, for the list's `os` field */
  osNames: ReadonlySet<string>
  heartbeatMs: number
  /** the step each running job is at, for the list's `installing` mark */
  steps: CurrentSteps
}

const text = { replyAs: 'text' as const }
const json = { replyAs: 'json' as const }
const ok = 'ok'

/** The original service's list; a protected VM also says `protected: true`, and a VM with values this
 * service left waiting for its next cold start lists them in `pending` (key → new value). */
const ListReply = Type.Object({
  ...VmListReply.properties,
  vms: Type.Array(
    Type.Object({
      ...ListedVmSchema.properties,
      protected: Type.Optional(Type.Boolean()),
      pending: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()]))),
    }),
  ),
})

/** Names the keys a set left waiting for a restart (the body stays the seed's `ok`). */
const pendingHeader = 'X-Pending'

/** The seed's `/api/vm/...` routes: plain text for quick actions, SSE for the long ones. */
export const vmRoutes: FastifyPluginAsyncTypebox<VmRoutesOptions> = async (app, options) => {
  const { lifecycle, jobs, protection } = options
  if (protection !== undefined) addProtectedVmHook(app, protection)

  const addresses = createVmAddresses(lifecycle.cluster, addressReadersOf(lifecycle))
  /** The install job working on a VM, and the step it is at. */
  const installing = (vmid: number): { job_id: string; stage: string } | undefined => {
    const job = jobs.activeOn(vmid)
    if (job?.type !== 'install') return undefined
    return { job_id: job.id, stage: options.steps.stepOf(job.id) ?? job.state }
  }

  app.get('/vm/list', { config: json, schema: { response: { 200: ListReply } } }, async () => {
    const { listing, resources } = await listCluster(lifecycle.cluster, options.osNames)
    lifecycle.locator.remember(resources.vms)
    // no Proxmox read per VM: pending values are the ones this service left (pending-tracker.ts)
    const pending = lifecycle.pending.forList(resources.vms)
    const tags = new Map(resources.vms.map((vm) => [vm.vmid, vm.tags ?? []]))
    const marked = markVms(listing.vms, {
      addresses: addresses.lookup(resources.vms),
      installing,
    })
    const vms = marked.map((vm) => {
      const waiting = pending.get(vm.vmid)
      const isProtected =
        protection?.active === true && protection.isProtected(vm.vmid, tags.get(vm.vmid))
      return {
        ...vm,
        ...(isProtected ? { protected: true } : {}),
        ...(waiting === undefined ? {} : { pending: waiting }),
      }
    })
    return { success: true, ...listing, vms }
  })

  app.get(
    '/vm/:id/status',
    { config: text, schema: { params: VmIdParams } },
    async (request, reply) => {
      const state = await readPowerState(lifecycle, request.params.id)
      return reply.type('text/plain; charset=utf-8').send(state)
    },
  )

  /**
   * Runs a quick action as a job of its own, waiting for it, so every action shows in the job
   * history; the answer stays the original service's plain `ok` or its error status.
   */
  const recorded = async <T>(
    spec: { type: JobType; vmid: number; summary: string; step: string; done: string },
    action: () => Promise<T>,
  ): Promise<T> => {
    let outcome: { error: unknown } | { value: T } | undefined
    const job = jobs.start(
      { type: spec.type, vmid: spec.vmid, summary: spec.summary },
      async (report) => {
        const step = beginStep(report, spec.step)
        try {
          outcome = { value: await action() }
        } catch (error) {
          outcome = { error }
          throw error
        }
        step.success(spec.done)
      },
    )
    await jobs.settled(job.id)
    if (outcome === undefined) throw new Error(`job ${job.id} ended before its action ran`)
    if ('error' in outcome) throw outcome.error
    return outcome.value
  }

  const plainAction = (
    type: 'stop' | 'shutdown' | 'destroy',
    step: string,
    done: string,
    action: (vmid: number) => Promise<void>,
  ): void => {
    app.post(
      `/vm/:id/${type}`,
      { config: text, schema: { params: VmIdParams } },
      async (request, reply) => {
        const vmid = request.params.id
        await recorded({ type, vmid, summary: type, step, done: `VM ${vmid} ${done}` }, () =>
          action(vmid),
        )
        return reply.type('text/plain; charset=utf-8').send(ok)
      },
    )
  }
  plainAction('stop', 'stopping VM', 'stopped', (vmid) => stopVm(lifecycle, vmid))
  plainAction('shutdown', 'shutting down VM', 'shut down', (vmid) => shutdownVm(lifecycle, vmid))
  plainAction('destroy', 'destroying VM', 'destroyed', (vmid) => destroyVm(lifecycle, vmid))

  const configure = <T>(vmid: number, summary: string, action: () => Promise<T>): Promise<T> =>
    recorded(
      { type: 'configure', vmid, summary, step: 'changing VM', done: `VM ${vmid}: ${summary}` },
      action,
    )
  app.post(
    '/vm/:id/set/cpu',
    { config: text, schema: { params: VmIdParams, body: SetCpuBody } },
    async (request, reply) => {
      const { id } = request.params
      const { cpu } = request.body
      const outcome = await configure(id, `cpu ${cpu}`, () => setCpu(lifecycle, id, cpu))
      if (outcome.pending.length > 0) void reply.header(pendingHeader, outcome.pending.join(','))
      return reply.type('text/plain; charset=utf-8').send(ok)
    },
  )
  app.post(
    '/vm/:id/set/memory',
    { config: text, schema: { params: VmIdParams, body: SetMemoryBody } },
    async (request, reply) => {
      const { id } = request.params
      const { memory } = request.body
      const outcome = await configure(id, `memory ${memory} MB`, () =>
        setMemory(lifecycle, id, memory),
      )
      if (outcome.pending.length > 0) void reply.header(pendingHeader, outcome.pending.join(','))
      return reply.type('text/plain; charset=utf-8').send(ok)
    },
  )
  app.post(
    '/vm/:id/set/disk',
    { config: text, schema: { params: VmIdParams, body: SetDiskBody } },
    async (request, reply) => {
      const { id } = request.params
      const { disk } = request.body
      await configure(id, `disk +${disk.replace(/^\+/, '')}`, () => growDisk(lifecycle, id, disk))
      return reply.type('text/plain; charset=utf-8').send(ok)
    },
  )

  /** Runs a checked plan as a job and streams it; checks failing before the plan are 4xx. */
  const runAsJob = async (
    type: JobType,
    plan: PlannedOperation,
    request: Parameters<typeof streamJob>[0],
    reply: Parameters<typeof streamJob>[1],
  ): Promise<void> => {
    const job = jobs.start({ type, vmid: plan.vmid, summary: type }, (report, signal) =>
      plan.run(report, signal),
    )
    await streamJob(request, reply, jobs, job, { heartbeatMs: options.heartbeatMs })
  }

  app.post(
    '/vm/:id/start',
    { config: text, schema: { params: VmIdParams } },
    async (request, reply) => {
      await runAsJob('start', await planStart(lifecycle, request.params.id), request, reply)
    },
  )
  app.post(
    '/vm/:id/reboot',
    { config: text, schema: { params: VmIdParams } },
    async (request, reply) => {
      await runAsJob('reboot', await planReboot(lifecycle, request.params.id), request, reply)
    },
  )
  app.post(
    '/vm/:id/set/node',
    { config: text, schema: { params: VmIdParams, body: SetNodeBody } },
    async (request, reply) => {
      const plan = await planMigration(lifecycle, request.params.id, request.body.node)
      await runAsJob('migrate', plan, request, reply)
    },
  )
}
