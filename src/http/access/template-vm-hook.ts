import fp from 'fastify-plugin'
import { sendError } from '../errors/error-handler.js'
import { noteRefusal } from './audit-hook.js'

export interface TemplateVmHookOptions {
  /** is this VMID a template (ours, being built, or any Proxmox template)? */
  isTemplate: (vmid: number) => Promise<boolean>
  /** VMIDs of templates, left out of `GET /api/vm/list` even before Proxmox's list shows them */
  templateVmids: () => ReadonlySet<number>
}

/**
 * Templates are not VMs to the VM routes: `GET /api/vm/:id/status` answers 404 and every
 * `POST /api/vm/:id/...` 409 `VM_IS_TEMPLATE`, naming `/api/templates`, before the operation
 * looks at them; `GET /api/vm/list` never shows one.
 */
export const templateVmHook = fp<TemplateVmHookOptions>(
  async (app, options) => {
    app.addHook('preHandler', async (request, reply) => {
      const route = request.routeOptions.url ?? ''
      if (!route.includes('/vm/:id')) return
      const vmid = idOf(request.params)
      if (vmid === undefined || !(await options.isTemplate(vmid))) return
      const message = `VM ${vmid} is a template, not a VM: see GET /api/templates (DELETE /api/templates/${vmid} removes it)`
      noteRefusal(request, 'VM_IS_TEMPLATE')
      sendError(
        request,
        reply,
        request.method === 'GET' ? 'VM_NOT_FOUND' : 'VM_IS_TEMPLATE',
        message,
      )
      return reply
    })
    app.addHook('preSerialization', async (request, _reply, payload: unknown) => {
      if (request.routeOptions.url !== '/api/vm/list' || !hasVms(payload)) return payload
      const hidden = options.templateVmids()
      if (hidden.size === 0) return payload
      return { ...payload, vms: payload.vms.filter((vm) => !hidden.has(vmidOf(vm))) }
    })
  },
  { name: 'template-vm-hook' },
)

function idOf(params: unknown): number | undefined {
  if (typeof params !== 'object' || params === null || !('id' in params)) return undefined
  return typeof params.id === 'number' ? params.id : undefined
}

function hasVms(payload: unknown): payload is { vms: unknown[] } {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    'vms' in payload &&
    Array.isArray(payload.vms)
  )
}

function vmidOf(vm: unknown): number {
  if (typeof vm !== 'object' || vm === null || !('vmid' in vm)) return -1
  return typeof vm.vmid === 'number' ? vm.vmid : -1
}
