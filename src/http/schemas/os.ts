import { Type, type Static } from '@sinclair/typebox'

/** One installable OS release of the catalog, as `GET /api/os` lists it. */
export const OsReleaseSchema = Type.Object({
  os: Type.String({ description: 'the install request `os`', examples: ['debian'] }),
  version: Type.String({ description: 'the install request `version`', examples: ['12'] }),
  codename: Type.String({ examples: ['bookworm'] }),
  default_user: Type.String({
    description: 'SSH user when the request names none',
    examples: ['debian'],
  }),
  support_ends: Type.String({
    description: 'end of standard support, ISO date',
    examples: ['2026-06-10'],
  }),
  min_cpu_level: Type.Integer({
    minimum: 1,
    maximum: 4,
    description: 'lowest x86-64 micro-architecture level the OS boots on',
  }),
})
export type OsReleaseEntry = Static<typeof OsReleaseSchema>

/** `GET /api/os`: the catalog, in the order the install form offers it. */
export const OsListReply = Type.Object({
  success: Type.Boolean(),
  releases: Type.Array(OsReleaseSchema),
})
export type OsListReply = Static<typeof OsListReply>
