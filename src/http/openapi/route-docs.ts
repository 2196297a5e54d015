import {
  installExample,
  installStreamExample,
  jobExample,
  metricsExample,
  osListExample,
  startStreamExample,
  vmListExample,
} from './examples.js'
import { networkRouteDocs } from './network-route-docs.js'
import { templateRouteDocs } from './template-route-docs.js'

/** One documented answer of a route: its media type and an example body. */
export interface DocumentedResponse {
  description: string
  contentType: 'text/plain' | 'application/json' | 'text/event-stream'
  example: unknown
}

/** What the route schemas cannot say: a summary, a tag and examples of request and answers. */
export interface RouteDoc {
  summary: string
  description?: string
  tag: 'vm' | 'jobs' | 'catalog' | 'service'
  /** example request body, for routes that take one */
  body?: unknown
  responses: Record<number, DocumentedResponse>
}

const text = (description: string, example: string): DocumentedResponse => ({
  description,
  contentType: 'text/plain',
  example,
})
const json = (description: string, example: unknown): DocumentedResponse => ({
  description,
  contentType: 'application/json',
  example,
})
const stream = (description: string, example: string): DocumentedResponse => ({
  description,
  contentType: 'text/event-stream',
  example,
})
const jsonError = (description: string, code: string, message: string): DocumentedResponse =>
  json(description, { success: false, code, message })

const badId = text('bad VMID', 'id: must be >= 100')
const noVm = text('no such VM', 'VM 999 does not exist')
const denied = text(
  'refused by ALLOW_IPS',
  'this IP (203.0.113.9) is not allowed to perform this action',
)
const pveFailed = text(
  'Proxmox failed; its message is passed on',
  "VM 101 qmp command 'cont' failed",
)
const busy = text('the VM is in the wrong state or busy', 'VM 101 is not running')

const sseNote =
  'Server-Sent Events: each event is one JSON `data:` line `{"step","status","message","vm_id"?,"ip"?}` with an `id:`; ' +
  'the first names its job (`job_id`, also the `X-Job-Id` header); the stream ends with `event: close`. ' +
  'Closing the connection does not stop the operation: follow it again with `GET /api/jobs/{id}/events`.'

/** Documentation of every route, keyed by method and Fastify path. */
export const routeDocs: Record<string, RouteDoc> = {
  ...templateRouteDocs,
  ...networkRouteDocs,
  'GET /api/health': {
    summary: 'Liveness check',
    tag: 'service',
    responses: { 200: text('the service is up', 'ok') },
  },
  'POST /api/vm/install': {
    summary: 'Create and fully provision a VM',
    description: `Runs the install pipeline (the seed's stages in order). ${sseNote}`,
    tag: 'vm',
    body: installExample,
    responses: {
      200: stream('the pipeline, stage by stage', installStreamExample),
      400: jsonError(
        'a field is invalid',
        'INVALID_INPUT',
        'version: ubuntu 23.10 is not supported; use one of 20.04, 22.04, 24.04',
      ),
      403: jsonError(
        'refused by ALLOW_IPS',
        'ACCESS_DENIED',
        'this IP (203.0.113.9) is not allowed to perform this action',
      ),
    },
  },
  'GET /api/vm/list': {
    summary: 'All VMs and per-node usage',
    tag: 'vm',
    responses: {
      200: json('the cluster inventory', vmListExample),
      403: jsonError(
        'refused by ALLOW_IPS',
        'ACCESS_DENIED',
        'this IP (203.0.113.9) is not allowed to perform this action',
      ),
    },
  },
  'GET /api/vm/:id/status': {
    summary: 'Power state of a VM',
    tag: 'vm',
    responses: {
      200: text('`running` or `stopped`', 'running'),
      400: badId,
      403: denied,
      404: noVm,
    },
  },
  'POST /api/vm/:id/start': {
    summary: 'Start a VM and stream until it is ready',
    description: sseNote,
    tag: 'vm',
    responses: {
      200: stream('the start, until SSH answers', startStreamExample),
      400: badId,
      403: denied,
      404: noVm,
      409: text('already running or busy', 'VM 101 is already running'),
    },
  },
  'POST /api/vm/:id/stop': {
    summary: 'Hard stop (qm stop; a VM holding a Proxmox config lock is refused, never skipped)',
    tag: 'vm',
    responses: {
      200: text('stopped', 'ok'),
      400: badId,
      403: denied,
      404: noVm,
      409: text('not running, busy, or locked by Proxmox', 'VM is locked (backup)'),
      502: pveFailed,
    },
  },
  'POST /api/vm/:id/shutdown': {
    summary: 'ACPI shutdown; waits for it',
    tag: 'vm',
    responses: {
      200: text('shut down', 'ok'),
      400: badId,
      403: denied,
      404: noVm,
      409: busy,
      502: pveFailed,
    },
  },
  'POST /api/vm/:id/reboot': {
    summary: 'Reboot a VM and stream until it is ready again',
    description: sseNote,
    tag: 'vm',
    responses: {
      200: stream(
        'the reboot, until SSH answers again',
        startStreamExample.replaceAll('start', 'reboot'),
      ),
      400: badId,
      403: denied,
      404: noVm,
      409: busy,
    },
  },
  'POST /api/vm/:id/destroy': {
    summary: 'Stop if needed and delete the VM with all its disks',
    tag: 'vm',
    responses: {
      200: text('destroyed', 'ok'),
      400: badId,
      403: denied,
      404: noVm,
      409: text(
        'busy, protected or locked by Proxmox',
        "can't remove VM 101 - protection mode enabled",
      ),
      502: pveFailed,
    },
  },
  'POST /api/vm/:id/set/cpu': {
    summary: 'Set the vCPU count',
    tag: 'vm',
    body: { cpu: 4 },
    responses: {
      200: text('changed', 'ok'),
      400: text('bad value', 'cpu: must be <= 32'),
      403: denied,
      404: noVm,
      409: busy,
    },
  },
  'POST /api/vm/:id/set/memory': {
    summary: 'Set the RAM size (MB)',
    tag: 'vm',
    body: { memory: 8192 },
    responses: {
      200: text('changed', 'ok'),
      400: text('bad value', 'memory: must be >= 512'),
      403: denied,
      404: noVm,
      409: busy,
    },
  },
  'POST /api/vm/:id/set/disk': {
    summary: 'Grow the boot disk by an amount',
    tag: 'vm',
    body: { disk: '10G' },
    responses: {
      200: text('grown', 'ok'),
      400: text('bad value', 'disk: must match pattern "^\\+?[0-9]{1,7}[MGTmgt]?$"'),
      403: denied,
      404: noVm,
      409: busy,
    },
  },
  'POST /api/vm/:id/set/node': {
    summary: 'Migrate a VM to another node',
    description: sseNote,
    tag: 'vm',
    body: { node: 'pve2' },
    responses: {
      200: stream(
        'the migration, with the task log',
        `id: 1\ndata: {"step":"migrating VM","status":"processing","message":"[*] migrating VM 101 from pve1 to pve2 (online)","job_id":"${jobExample.id}"}\n\nevent: close\ndata: {}\n\n`,
      ),
      400: text('bad node', 'node: no cluster node named "pve9"'),
      403: denied,
      404: noVm,
      409: busy,
    },
  },
  'GET /sh/:name': {
    summary: 'First-boot script of an OS (open to everyone)',
    description: 'Named `<os>_<version>.sh`, e.g. `debian_12.sh`; guests fetch it.',
    tag: 'catalog',
    responses: {
      200: text('the script', '#!/bin/bash\nset -euo pipefail\n...'),
      404: text('unknown OS or version', 'no init script named arch_1.sh'),
    },
  },
  'GET /api/os': {
    summary: 'The OS catalog: what install accepts as os and version',
    tag: 'catalog',
    responses: { 200: json('every release', osListExample) },
  },
  'GET /api/jobs': {
    summary: 'Jobs, newest first (filter by state, type, vmid)',
    tag: 'jobs',
    responses: { 200: json('the jobs', { success: true, jobs: [jobExample] }) },
  },
  'GET /api/jobs/:id': {
    summary: 'One job',
    tag: 'jobs',
    responses: {
      200: json('the job', { success: true, job: jobExample }),
      404: jsonError('no such job', 'JOB_NOT_FOUND', `no job ${jobExample.id}`),
    },
  },
  'GET /api/jobs/:id/events': {
    summary: "Replay and follow a job's events",
    description: `Replays the events after \`Last-Event-ID\` (all of them without it), then follows live. ${sseNote}`,
    tag: 'jobs',
    responses: {
      200: stream('the events', installStreamExample),
      404: jsonError('no such job', 'JOB_NOT_FOUND', `no job ${jobExample.id}`),
    },
  },
  'GET /api/vm/:id/info': {
    summary: 'One VM: where it runs, how to reach it, its config, pending changes and jobs',
    tag: 'vm',
    responses: {
      200: json('the VM', {
        success: true,
        vm: {
          vmid: 100,
          name: 'demo-debian',
          node: 'pve1',
          status: 'running',
          uptime: 3600,
          os: 'debian',
          ip: '127.0.0.100',
          user: 'debian',
          ssh: 'ssh -p 2222 debian@127.0.0.100',
          config: { cores: '2', memory: '2048', ipconfig0: 'ip=127.0.0.100/24,gw=127.0.0.1' },
          jobs: [],
        },
      }),
      400: badId,
      404: noVm,
    },
  },
  'GET /api/jobs/:id/credentials': {
    summary: "An install's generated password, once, to whoever started it (within 24 h)",
    description:
      'Kept in memory only. The same API token that started the job (anyone when no token is configured) gets it once; then 410.',
    tag: 'jobs',
    responses: {
      200: json('the credentials', {
        success: true,
        credentials: {
          password: 'k3Q9vT2mXp7LrB4nW8sZ',
          vmid: 103,
          ip: '127.0.0.103',
          user: 'debian',
          ssh: 'ssh -p 2222 debian@127.0.0.103',
        },
      }),
      403: jsonError(
        'started with another token',
        'CREDENTIALS_NOT_YOURS',
        `job ${jobExample.id} was started with another API token; only that token can read its password`,
      ),
      404: jsonError(
        'no password',
        'CREDENTIALS_NONE',
        `job ${jobExample.id} holds no generated password`,
      ),
      410: jsonError(
        'already given',
        'CREDENTIALS_TAKEN',
        `the password of job ${jobExample.id} was already retrieved; it is given only once`,
      ),
    },
  },
  'GET /api/jobs/estimates': {
    summary: 'Median seconds of each stage of recent successful jobs, per job type (for an ETA)',
    tag: 'jobs',
    responses: {
      200: json('the estimates', {
        success: true,
        estimates: {
          start: {
            jobs: 2,
            stages: [
              { step: 'starting VM', seconds: 1.2 },
              { step: 'waiting for ready', seconds: 14.5 },
              { step: 'finalizing', seconds: 0 },
            ],
          },
        },
      }),
    },
  },
  'POST /api/jobs/:id/cancel': {
    summary: 'Cancel a running job (an install rolls back)',
    tag: 'jobs',
    responses: {
      200: json('cancelling', { success: true, job: { ...jobExample, state: 'running' } }),
      404: jsonError('no such job', 'JOB_NOT_FOUND', `no job ${jobExample.id}`),
      409: jsonError('already over', 'JOB_FINISHED', `job ${jobExample.id} already ended`),
    },
  },
  'GET /metrics': {
    summary: 'Prometheus metrics',
    tag: 'service',
    responses: { 200: text('text exposition format 0.0.4', metricsExample) },
  },
}
