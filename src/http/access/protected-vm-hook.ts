import type { FastifyInstance } from 'fastify'
import { describeError } from '../../errors.js'
import { sendError } from '../errors/error-handler.js'
import { noteRefusal } from './audit-hook.js'
import { VmProtectedError, type VmProtection } from './protected-vms.js'

/**
 * Refuses (403) every changing `POST /vm/:id/...` on a protected VM — stop, shutdown, reboot,
 * destroy, set/* — before the operation looks at the VM. Starting one is allowed: it changes
 * nothing that was there. Add it inside the VM routes' plugin.
 */
export function addProtectedVmHook(app: FastifyInstance, protection: VmProtection): void {
  if (!protection.active) return
  app.addHook('preHandler', async (request, reply) => {
    const route = request.routeOptions.url ?? ''
    if (request.method !== 'POST' || !route.includes('/vm/:id/') || route.endsWith('/start')) return
    const vmid = idOf(request.params)
    if (vmid === undefined) return
    try {
      await protection.check(vmid)
    } catch (error) {
      if (!(error instanceof VmProtectedError)) throw error
      noteRefusal(request, error.code)
      request.log.info({ vmid }, describeError(error))
      sendError(request, reply, error.code, error.message)
      return reply
    }
  })
}

function idOf(params: unknown): number | undefined {
  if (typeof params !== 'object' || params === null || !('id' in params)) return undefined
  return typeof params.id === 'number' ? params.id : undefined
}
