import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { OsRelease } from '../../images/os-catalog.js'
import { OsListReply, type OsReleaseEntry } from '../schemas/os.js'

export interface OsRoutesOptions {
  /** the OS catalog the install pipeline knows */
  catalog: readonly OsRelease[]
}

/** `GET /api/os`: what `POST /api/vm/install` accepts as `os` and `version`. */
export const osRoutes: FastifyPluginAsyncTypebox<OsRoutesOptions> = async (app, options) => {
  const releases = options.catalog.map(present)
  app.get(
    '/os',
    { config: { replyAs: 'json' }, schema: { response: { 200: OsListReply } } },
    async () => ({ success: true, releases }),
  )
}

function present(release: OsRelease): OsReleaseEntry {
  return {
    os: release.os,
    version: release.version,
    codename: release.codename,
    default_user: release.defaultUser,
    support_ends: release.supportEnds,
    min_cpu_level: release.minCpuLevel,
  }
}
