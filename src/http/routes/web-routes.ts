import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyPluginAsync } from 'fastify'
import { packageRoot } from '../../lib/package-root.js'
import { sendError } from '../errors/error-handler.js'

export interface WebRoutesOptions {
  /** the built dashboard (`npm run build:web` writes it); default `web/dist` of this checkout */
  webDir?: string | undefined
}

/** The built dashboard's files; nothing else under `/` is served, so no path can escape. */
const files: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
}

/** `web/dist` of the package, from src/, dist/ or a chunk of the bundle alike. */
export const defaultWebDir = join(packageRoot(import.meta.url), 'web', 'dist')

/**
 * The web dashboard at `/`: static files of the build, read on each request (a rebuild shows
 * up without a restart). Without a build, `/` says how to make one.
 */
export const webRoutes: FastifyPluginAsync<WebRoutesOptions> = async (app, options) => {
  const dir = options.webDir ?? defaultWebDir
  for (const [path, { file, type }] of Object.entries(files)) {
    app.get(
      path,
      { schema: { hide: true }, config: { replyAs: 'text' } },
      async (request, reply) => {
        let body: Buffer
        try {
          body = await readFile(join(dir, file))
        } catch {
          sendError(
            request,
            reply,
            'WEB_NOT_BUILT',
            `the dashboard is not built (${file} missing); run: npm run build:web`,
          )
          return reply
        }
        return reply.type(type).header('cache-control', 'no-cache').send(body)
      },
    )
  }
}
