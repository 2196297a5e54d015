import type { RouteDoc } from './route-docs.js'

const template = {
  vmid: 9000,
  os: 'debian',
  version: '12',
  node: 'pve1',
  storage: 'local-lvm',
  shared: false,
  image_checksum: '43f6dabf5cb1a2b3c4d5e6f708192a3b',
  clones: [103, 104],
  current: true,
}

/** The template routes' summaries and examples (merged into `routeDocs`). */
export const templateRouteDocs: Record<string, RouteDoc> = {
  'GET /api/templates': {
    summary: 'The cached OS templates and the linked clones using each',
    description:
      'With TEMPLATES=auto the first install of a release on a storage that can link-clone builds ' +
      'a template from the verified image; later installs clone it. One per storage when shared, ' +
      'one per node and storage otherwise.',
    tag: 'vm',
    responses: {
      200: {
        description: 'the templates',
        contentType: 'application/json',
        example: { success: true, templates: [template] },
      },
    },
  },
  'DELETE /api/templates/:id': {
    summary: 'Removes a template no linked clone uses',
    tag: 'vm',
    responses: {
      200: {
        description: 'removed',
        contentType: 'application/json',
        example: { success: true, removed: 9000 },
      },
      404: {
        description: 'not a template of this service',
        contentType: 'application/json',
        example: {
          success: false,
          code: 'TEMPLATE_NOT_FOUND',
          message: 'VM 9005 is not a template of this service (GET /api/templates lists them)',
        },
      },
      409: {
        description: "linked clones still use it: Proxmox's refusal",
        contentType: 'application/json',
        example: {
          success: false,
          code: 'TEMPLATE_IN_USE',
          message: "base volume 'local-lvm:base-9000-disk-0' is still in use by linked cloned",
        },
      },
    },
  },
}
