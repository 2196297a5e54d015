import type {
  PveApiRequest,
  PveApiResponse,
  PveApiTransport,
} from '../../pve/drivers/api/transport.js'
import type { SimCaller } from '../api/types.js'
import type { Simulator } from '../simulator.js'

export interface InProcessTransportOptions {
  /** who the requests run as: `root@pam` (default), another user, or a token `user@realm!tokenid` */
  user?: string
  /** restrict the caller to these privileges (a token with privilege separation) */
  privileges?: ReadonlySet<string>
}

/**
 * A PveApiTransport that calls the simulator directly, as JSON REST would (numbers and booleans
 * accepted). An aborted signal rejects before the call, like a cancelled fetch.
 */
export function createInProcessTransport(
  sim: Simulator,
  options: InProcessTransportOptions = {},
): PveApiTransport {
  const user = options.user ?? 'root@pam'
  const bang = user.indexOf('!')
  const caller: SimCaller = {
    user: bang >= 0 ? user.slice(0, bang) : user,
    ...(bang >= 0 ? { tokenId: user.slice(bang + 1) } : {}),
    ...(options.privileges === undefined ? {} : { privileges: options.privileges }),
    via: 'in-process',
  }
  return {
    user,
    async request(request: PveApiRequest): Promise<PveApiResponse> {
      request.signal?.throwIfAborted()
      const response = await sim.api.handle({
        method: request.method,
        path: request.path,
        params: request.params ?? {},
        caller,
      })
      return {
        status: response.status,
        data: response.data,
        ...(response.message === undefined ? {} : { message: response.message }),
        ...(response.errors === undefined ? {} : { errors: response.errors }),
      }
    },
  }
}
