import { die, paramError } from '../api/errors.js'
import { messages, nodeSpec, verifyParams, vmidSpec } from '../api/params.js'
import type { ParamSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { isRoot } from '../api/route.js'
import { planDisk } from '../operations/disks.js'
import type { DiskRequest } from '../operations/disks.js'
import { updateVm } from '../operations/update-config.js'
import type { UpdatePlan } from '../operations/update-config.js'
import { requireVm, withVmLock } from '../operations/vm-lock.js'
import { timings } from '../timings.js'
import { effectiveConfig, cloudinitKey } from '../state/vm-view.js'
import { isDriveKey } from '../vm-config/drive.js'
import { normalizeConfigValue } from '../vm-config/normalize.js'
import { configKeySpec } from '../vm-config/schema.js'
import { pathNode } from './node.js'
import { forkWorker } from './task-start.js'

const configIdList = (value: string): string | undefined =>
  value.split(/[,;\s]+/).every((k) => k === '' || /^[a-z][a-z_\-0-9]*$/i.test(k))
    ? undefined
    : 'invalid configuration ID list'

const methodParams: Record<string, ParamSpec> = {
  node: nodeSpec,
  vmid: vmidSpec,
  delete: { type: 'string', optional: true, format: configIdList },
  revert: { type: 'string', optional: true, format: configIdList },
  digest: { type: 'string', optional: true, maxLength: 64 },
  skiplock: { type: 'boolean', optional: true },
  force: { type: 'boolean', optional: true },
}

const hiddenFromLog = new Set(['node', 'vmid', 'digest', 'skiplock', 'background_delay'])

/** Checks a config change and plans it; dies before any task as PVE does. */
function planUpdate(rc: RouteContext, async: boolean): { vmid: number; plan: UpdatePlan } {
  const table: Record<string, ParamSpec> = async
    ? {
        ...methodParams,
        background_delay: { type: 'integer', minimum: 1, maximum: 30, optional: true },
      }
    : methodParams
  const values = verifyParams(
    rc.params,
    (name) => (Object.hasOwn(table, name) ? table[name] : configKeySpec(name)),
    rc.caller,
  )
  if (values.skiplock === '1' && !isRoot(rc.caller))
    paramError('skiplock', 'Only root may use this option.')
  const node = pathNode(rc)
  const vmid = Number(values.vmid)
  const split = (text: string | undefined): string[] =>
    text === undefined ? [] : text.split(/[,;\s]+/).filter((k) => k !== '')
  const deletes = split(values.delete)
  const revert = split(values.revert)
  const unknown = [...deletes, ...revert].filter((key) => configKeySpec(key) === undefined)
  if (unknown.length > 0) paramError(unknown[0] ?? 'delete', messages.unknown)
  const vm = requireVm(rc.sim, node.name, vmid)
  const set: Record<string, string> = {}
  const disks = new Map<string, DiskRequest>()
  for (const [key, value] of Object.entries(values)) {
    if (Object.hasOwn(table, key)) continue
    if (deletes.includes(key))
      paramError(key, `you can't use '-${key}' and '-delete ${key}' at the same time`)
    set[key] = normalizeConfigValue(key, value, effectiveConfig(vm))
    if (isDriveKey(key) || key === 'efidisk0' || key === 'tpmstate0') {
      const request = planDisk(rc.sim, node, rc.caller, key, value)
      const attached = cloudinitKey(effectiveConfig(vm))
      if (request.kind === 'cloudinit' && attached !== undefined && attached !== key) {
        die(`${key} - cloud-init drive is already attached at '${attached}'`)
      }
      disks.set(key, request)
    }
  }
  if (Object.keys(set).length === 0 && deletes.length === 0 && revert.length === 0)
    die('no options specified')
  const logParts: string[] = []
  for (const key of Object.keys(rc.params).sort()) {
    if (hiddenFromLog.has(key)) continue
    logParts.push(
      `-${key}`,
      key === 'cipassword' ? '<hidden>' : String(values[key] ?? rc.params[key]),
    )
  }
  return {
    vmid,
    plan: {
      set,
      disks,
      deletes,
      revert,
      ...(values.digest === undefined ? {} : { digest: values.digest }),
      skiplock: values.skiplock === '1',
      logLine: `update VM ${vmid}: ${logParts.join(' ')}`,
    },
  }
}

async function putConfig(rc: RouteContext) {
  const { vmid, plan } = planUpdate(rc, false)
  const node = pathNode(rc)
  await withVmLock(rc.sim, node.name, vmid, () =>
    updateVm(rc.sim, node, vmid, plan, {
      print: (line) => rc.stdout.push(line),
      warn: (line) => rc.stderr.push(line),
    }),
  )
  return { data: null }
}

async function postConfig(rc: RouteContext) {
  const { vmid, plan } = planUpdate(rc, true)
  const node = pathNode(rc)
  const delay = rc.params.background_delay
  const result = forkWorker(rc, 'qmconfig', String(vmid), async (task) => {
    await rc.sim.pacer.wait(timings.configAsyncMs, task.signal)
    await withVmLock(
      rc.sim,
      node.name,
      vmid,
      () =>
        updateVm(rc.sim, node, vmid, plan, {
          print: task.log,
          warn: task.log,
          signal: task.signal,
        }),
      { print: task.log, signal: task.signal },
    )
  })
  if (delay === undefined) return result
  // with background_delay the API waits that long and answers null when the worker is done
  const done = rc.sim.tasks.follow(result.data)
  // at speed 0 the worker takes no time, so it is always done within the delay
  const finished =
    rc.sim.pacer.speed === 0
      ? await done
      : await Promise.race([done, rc.sim.pacer.wait(Number(delay) * 1000).then(() => undefined)])
  if (finished === undefined) return result
  if (finished === 'OK' || finished.startsWith('WARNINGS')) return { data: null }
  return die(`failed to update VM ${vmid}: ${finished}`)
}

const configure = (p: Readonly<Record<string, string>>): [string, string] => [
  `/vms/${p.vmid ?? ''}`,
  'VM.Config.Options',
]

export const qemuConfigRoutes: Route[] = [
  {
    method: 'PUT',
    pattern: '/nodes/{node}/qemu/{vmid}/config',
    permission: configure,
    handler: putConfig,
  },
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu/{vmid}/config',
    permission: configure,
    handler: postConfig,
  },
]
