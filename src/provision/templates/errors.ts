import { AppError } from '../../errors.js'

/** One-line description of each template error code. */
export const templateErrorCodes: Record<string, string> = {
  TEMPLATE_NOT_FOUND: 'no template of this service has that VMID',
  TEMPLATE_IN_USE: "linked clones still use the template's base volume (Proxmox refuses)",
  TEMPLATE_BUILD_FAILED: 'a template could not be built; what was made was removed',
  TEMPLATE_NO_FREE_VMID: 'TEMPLATE_VMID_START..END has no free VMID',
  VM_IS_TEMPLATE: 'the VM routes do not act on templates; /api/templates does',
}

/** A template operation that failed for a reason the caller can read (code above). */
export class TemplateError extends AppError {
  override readonly name = 'TemplateError'
}
