import { nodeSpec, tableLookup, verifyParams } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { networkEntries, networkTypes } from '../network/bridges.js'
import { pathNode } from './node.js'

/**
 * `GET /nodes/{node}/network [--type ...]` (pve-manager PVE/API2/Network.pm index): the node's
 * interfaces, `lo` left out. Anyone may call it; on PVE 9 a token without `SDN.Audit` does not
 * see the bridges (pve.md §10 note 12: they are missing from the list, no error).
 */
function networkIndex(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({ node: nodeSpec, type: { type: 'string', enum: networkTypes, optional: true } }),
    rc.caller,
  )
  const node = pathNode(rc)
  const privileges = rc.caller.privileges
  const seesBridges = privileges === undefined || privileges.has('SDN.Audit')
  return { data: networkEntries(node.bridges, values.type, () => seesBridges) }
}

export const nodeNetworkRoutes: Route[] = [
  { method: 'GET', pattern: '/nodes/{node}/network', handler: networkIndex },
]
