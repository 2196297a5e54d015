import { Type, type Static } from '@sinclair/typebox'

/** One cached OS template, as `GET /api/templates` lists it. */
export const TemplateSchema = Type.Object({
  vmid: Type.Integer({ examples: [9000] }),
  os: Type.String({ examples: ['debian'] }),
  version: Type.String({ examples: ['12'] }),
  node: Type.String({ examples: ['pve1'] }),
  storage: Type.String({ examples: ['local-lvm'] }),
  shared: Type.Boolean({ description: 'one template serves every node of a shared storage' }),
  image_checksum: Type.String({
    description: "the verified image's digest (a prefix for templates found after a restart)",
    examples: ['43f6dabf5cb1'],
  }),
  clones: Type.Array(Type.Integer(), {
    description: 'VMIDs of the linked clones backed by its base volume',
  }),
  current: Type.Boolean({
    description: 'false once a newer image of its release was verified; removed when unused',
  }),
})
export type TemplateEntry = Static<typeof TemplateSchema>

export const TemplateListReply = Type.Object({
  success: Type.Boolean(),
  templates: Type.Array(TemplateSchema),
})

export const TemplateIdParams = Type.Object({
  id: Type.Integer({ minimum: 100, maximum: 999_999_999, description: 'the template VMID' }),
})

export const TemplateRemovedReply = Type.Object({
  success: Type.Boolean(),
  removed: Type.Integer(),
})
