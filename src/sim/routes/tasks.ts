import { paramError } from '../api/errors.js'
import { nodeSpec, tableLookup, verifyParams, vmidSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import type { TaskRecord } from '../tasks/task-manager.js'
import { parseUpid } from '../tasks/upid.js'

function taskInfo(task: TaskRecord): Record<string, unknown> {
  return {
    upid: task.upid,
    node: task.node,
    pid: task.pid,
    pstart: task.pstart,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    user: task.user,
    ...(task.tokenid === undefined ? {} : { tokenid: task.tokenid }),
  }
}

/** The task a `{upid}` path names on this node: `unable to parse worker upid` / `no such task`. */
function findTask(rc: RouteContext): TaskRecord | undefined {
  const upid = rc.path.upid ?? ''
  if (!parseUpid(upid)) paramError('upid', 'unable to parse worker upid')
  const task = rc.sim.tasks.get(upid)
  return task?.node === rc.path.node ? task : undefined
}

const upidParams = { node: nodeSpec, upid: { type: 'string' as const, maxLength: 256 } }

function taskStatus(rc: RouteContext) {
  verifyParams(rc.params, tableLookup(upidParams), rc.caller)
  const task = findTask(rc)
  if (!task) return paramError('upid', 'no such task')
  return {
    data: {
      ...taskInfo(task),
      status: task.status,
      ...(task.status === 'stopped' && task.exitstatus !== undefined
        ? { exitstatus: task.exitstatus }
        : {}),
    },
  }
}

function taskLog(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      ...upidParams,
      start: { type: 'integer', minimum: 0, optional: true },
      limit: { type: 'integer', minimum: 0, optional: true },
      download: { type: 'boolean', optional: true },
    }),
    rc.caller,
  )
  const task = findTask(rc)
  if (!task)
    return { data: [{ n: 1, t: 'unable to open file - No such file or directory' }], total: 1 }
  const start = Number(values.start ?? 0)
  const limit = Number(values.limit ?? 50)
  const slice = limit === 0 ? task.lines.slice(start) : task.lines.slice(start, start + limit)
  const data = slice.map((t, i) => ({ n: start + i + 1, t }))
  if (data.length === 0) return { data: [{ n: 1, t: 'no content' }], total: task.lines.length }
  return { data, total: task.lines.length }
}

function taskList(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      node: nodeSpec,
      start: { type: 'integer', minimum: 0, optional: true },
      limit: { type: 'integer', minimum: 0, optional: true },
      vmid: { ...vmidSpec, optional: true },
      typefilter: { type: 'string', optional: true },
      userfilter: { type: 'string', optional: true },
      statusfilter: { type: 'string', optional: true },
      errors: { type: 'boolean', optional: true },
      source: { type: 'string', enum: ['archive', 'active', 'all'], optional: true },
      since: { type: 'integer', optional: true },
      until: { type: 'integer', optional: true },
    }),
    rc.caller,
  )
  const source = values.source ?? 'archive'
  const tasks = rc.sim.tasks
    .list(rc.path.node ?? '')
    .filter(
      (t) =>
        source === 'all' || (source === 'active' ? t.status === 'running' : t.status === 'stopped'),
    )
    .filter((t) => values.vmid === undefined || t.id === values.vmid)
    .filter((t) => values.typefilter === undefined || t.type === values.typefilter)
    .filter((t) => values.userfilter === undefined || t.user.includes(values.userfilter))
    .filter((t) => values.errors !== '1' || (t.exitstatus !== undefined && t.exitstatus !== 'OK'))
    .filter((t) => values.since === undefined || t.starttime >= Number(values.since))
    .filter((t) => values.until === undefined || t.starttime <= Number(values.until))
  const start = Number(values.start ?? 0)
  const limit = Number(values.limit ?? 50)
  const data = tasks.slice(start, start + limit).map((t) => ({
    ...taskInfo(t),
    ...(t.endtime === undefined ? {} : { endtime: t.endtime }),
    ...(t.exitstatus === undefined ? {} : { status: t.exitstatus }),
  }))
  return { data, total: tasks.length }
}

export const taskRoutes: Route[] = [
  { method: 'GET', pattern: '/nodes/{node}/tasks', handler: taskList },
  { method: 'GET', pattern: '/nodes/{node}/tasks/{upid}/status', handler: taskStatus },
  { method: 'GET', pattern: '/nodes/{node}/tasks/{upid}/log', handler: taskLog },
]
