import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { JobRunner } from '../../jobs/index.js'
import {
  addressReadersOf,
  listCluster,
  readVmAddresses,
  sshCommand,
  type LifecycleDeps,
} from '../../provision/lifecycle/index.js'
import { VmIdParams } from '../schemas/vm.js'
import { JobPayloadSchema, presentJob } from './job-routes.js'

export interface VmInfoRoutesOptions {
  lifecycle: LifecycleDeps
  jobs: JobRunner
  /** tags that name an OS */
  osNames: ReadonlySet<string>
  /** GUEST_SSH_PORT, for the login command */
  guestSshPort: number
}

/** Config keys whose values are secrets (a password hash) or too long to be useful here. */
const hiddenKeys = new Set(['cipassword'])

const InfoReply = Type.Object({
  success: Type.Boolean(),
  vm: Type.Object({
    vmid: Type.Integer(),
    name: Type.String(),
    node: Type.String(),
    status: Type.String({ description: 'running or stopped' }),
    uptime: Type.Number({ description: 'seconds since it started; 0 when stopped' }),
    os: Type.String(),
    ip: Type.Optional(Type.String({ description: 'the first IPv4 address' })),
    addresses: Type.Optional(
      Type.Array(Type.String(), { description: 'every address, IPv4 first, then IPv6' }),
    ),
    network: Type.Optional(Type.String({ description: 'the network the VM is on' })),
    user: Type.Optional(Type.String()),
    ssh: Type.Optional(Type.String({ description: 'the login command, port included' })),
    config: Type.Record(Type.String(), Type.String(), {
      description: 'the Proxmox configuration (the password hash left out)',
    }),
    pending: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'changes waiting for the next restart: key → new value',
      }),
    ),
    jobs: Type.Array(JobPayloadSchema, { description: 'its jobs, newest first (at most 20)' }),
  }),
})

/**
 * `GET /api/vm/:id/info`: everything about one VM an operator asks for — where it runs, since
 * when, its configuration and pending changes, its address and the exact SSH command, and its
 * jobs. Reads the VM's status and config (two Proxmox reads) and the shared resource list.
 */
export const vmInfoRoutes: FastifyPluginAsyncTypebox<VmInfoRoutesOptions> = async (
  app,
  options,
) => {
  const { lifecycle, jobs } = options
  app.get(
    '/vm/:id/info',
    { config: { replyAs: 'json' }, schema: { params: VmIdParams, response: { 200: InfoReply } } },
    async (request) => {
      const vmid = request.params.id
      const located = await lifecycle.locator.locate(vmid)
      const [{ config, view }, { listing }] = await Promise.all([
        readVmAddresses(
          lifecycle.cluster,
          { node: located.node, vmid, running: located.status.status === 'running' },
          addressReadersOf(lifecycle),
          { signal: request.signal },
        ),
        listCluster(lifecycle.cluster, options.osNames),
      ])
      const listed = listing.vms.find((vm) => vm.vmid === vmid)
      const shown = Object.fromEntries(
        Object.entries(config).filter(([key]) => !hiddenKeys.has(key)),
      )
      // the login goes to the first IPv4 address, else the first one there is
      const ip = view.ip ?? view.addresses[0]
      const user = config.ciuser
      const pending = listed === undefined ? undefined : pendingOf(listed)
      return {
        success: true,
        vm: {
          vmid,
          name: located.status.name,
          node: located.node,
          status: located.status.status,
          uptime: located.status.uptime,
          os: listed?.os ?? '',
          ...(view.ip === undefined ? {} : { ip: view.ip }),
          ...(view.addresses.length === 0 ? {} : { addresses: view.addresses }),
          ...(view.network === undefined ? {} : { network: view.network }),
          ...(user === undefined ? {} : { user }),
          ...(ip === undefined
            ? {}
            : { ssh: sshCommand(user ?? 'root', ip, options.guestSshPort) }),
          config: shown,
          ...(pending === undefined ? {} : { pending }),
          jobs: jobs.list({ vmid, limit: 20 }).map(presentJob),
        },
      }
    },
  )
}

/** The list entry's `pending` (values waiting for a restart), when the list carries it. */
function pendingOf(listed: object): Record<string, string> | undefined {
  if (!('pending' in listed)) return undefined
  const { pending } = listed
  if (typeof pending !== 'object' || pending === null) return undefined
  const entries = Object.entries(pending).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  )
  return entries.length === 0 ? undefined : Object.fromEntries(entries)
}
