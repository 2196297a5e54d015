import type { RouteContext } from '../api/route.js'
import { taskUser } from '../api/route.js'
import type { TaskContext } from '../tasks/task-manager.js'
import { pathNode } from './node.js'

/** Forks a worker on the path's node, run by the caller: returns `{ data: UPID }`. */
export function forkWorker(
  rc: RouteContext,
  type: string,
  id: string,
  run: (task: TaskContext) => Promise<void>,
) {
  const node = pathNode(rc)
  const who = taskUser(rc.caller)
  const upid = rc.sim.tasks.start({
    node: node.name,
    nodeBootTime: node.bootTime,
    type,
    id,
    user: who.user,
    ...(who.tokenId === undefined ? {} : { tokenId: who.tokenId }),
    run,
  })
  return { data: upid }
}
