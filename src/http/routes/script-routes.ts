import type { FastifyPluginAsync } from 'fastify'
import { renderInitScript, type InitScriptOptions } from '../../guest/init-script.js'
import { findRelease } from '../../images/os-catalog.js'
import { sendError } from '../errors/error-handler.js'

/** `GET /sh/<os>_<version>.sh`: the first-boot script of each OS, open to everyone (guests fetch it). */
export const scriptRoutes: FastifyPluginAsync<InitScriptOptions> = async (app, options) => {
  app.get<{ Params: { name: string } }>(
    '/sh/:name',
    { config: { replyAs: 'text' } },
    async (request, reply) => {
      const match = /^([a-z]+)_([0-9.]+)\.sh$/.exec(request.params.name)
      const release = match === null ? undefined : findRelease(match[1] ?? '', match[2] ?? '')
      if (release === undefined) {
        sendError(request, reply, 'NOT_FOUND', `no init script named ${request.params.name}`)
        return reply
      }
      return reply
        .type('text/x-shellscript; charset=utf-8')
        .send(renderInitScript(release, options))
    },
  )
}
