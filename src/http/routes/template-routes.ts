import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { isAppError } from '../../errors.js'
import type {
  TemplateListing,
  TemplateService,
} from '../../provision/templates/template-service.js'
import { sendError } from '../errors/error-handler.js'
import {
  TemplateIdParams,
  TemplateListReply,
  TemplateRemovedReply,
  type TemplateEntry,
} from '../schemas/templates.js'

export interface TemplateRoutesOptions {
  /** absent with TEMPLATES=off: the list is empty and nothing can be removed */
  templates: TemplateService | undefined
}

/**
 * `GET /api/templates`: the cached OS templates with the clones using each; `DELETE
 * /api/templates/:id` removes one no clone uses (409 with Proxmox's refusal otherwise).
 */
export const templateRoutes: FastifyPluginAsyncTypebox<TemplateRoutesOptions> = async (
  app,
  options,
) => {
  const json = { replyAs: 'json' } as const
  app.get(
    '/templates',
    { config: json, schema: { response: { 200: TemplateListReply } } },
    async () => {
      const listed = (await options.templates?.list()) ?? []
      return { success: true, templates: listed.map(present) }
    },
  )

  app.delete(
    '/templates/:id',
    { config: json, schema: { params: TemplateIdParams, response: { 200: TemplateRemovedReply } } },
    async (request, reply) => {
      const { id } = request.params
      if (options.templates === undefined) {
        sendError(request, reply, 'TEMPLATE_NOT_FOUND', 'no templates: TEMPLATES=off')
        return reply
      }
      try {
        await options.templates.remove(id)
      } catch (error) {
        if (!isAppError(error)) throw error
        sendError(request, reply, error.code, error.message)
        return reply
      }
      return { success: true, removed: id }
    },
  )
}

function present(listing: TemplateListing): TemplateEntry {
  return {
    vmid: listing.vmid,
    os: listing.release.os,
    version: listing.release.version,
    node: listing.node,
    storage: listing.storage,
    shared: listing.shared,
    image_checksum: listing.sha,
    clones: listing.clones,
    current: listing.current,
  }
}
