import { Type, type Static } from '@sinclair/typebox'

/** `POST /api/vm/install`: the seed's request fields. Unknown fields are ignored. */
export const InstallBody = Type.Object({
  os: Type.Union([Type.Literal('debian'), Type.Literal('ubuntu'), Type.Literal('rockylinux')], {
    description: 'debian, ubuntu or rockylinux',
  }),
  version: Type.String({ minLength: 1, maxLength: 16, description: 'e.g. 12, 22.04, 9' }),
  name: Type.Optional(
    Type.String({
      pattern: '^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$',
      description:
        'VM (host) name: letters, digits and inner hyphens; default <os>-<version>-<vmid>',
    }),
  ),
  id: Type.Optional(
    Type.Integer({ minimum: 100, maximum: 999_999_999, description: 'VMID; auto when omitted' }),
  ),
  node: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$' })),
  cpu: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 512,
      description: 'vCPUs, default 2, clamped to VM_MAX_CPU',
    }),
  ),
  ram: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 4_194_304,
      description: 'MB, default 2048, clamped to 512..VM_MAX_RAM',
    }),
  ),
  disk: Type.Optional(
    Type.String({
      pattern: '^[1-9][0-9]{0,6}[MGTmgt]?$',
      description: 'e.g. 20G; default and minimum 16G',
    }),
  ),
  user: Type.Optional(
    Type.String({
      pattern: '^[a-z_][a-z0-9_-]{0,31}$',
      description: 'SSH user; default the image user',
    }),
  ),
  passwd: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 256,
      pattern: '^[^\\x00-\\x1f\\x7f]+$',
      description: 'SSH password',
    }),
  ),
  pubkey: Type.Optional(
    Type.String({
      maxLength: 16_384,
      pattern:
        '^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) [A-Za-z0-9+/]+={0,3}( [^\\x00-\\x1f\\x7f]*)?$',
      description: 'one OpenSSH public key line',
    }),
  ),
  dry_run: Type.Optional(
    Type.Boolean({
      description:
        'true: answer the plan as JSON (VMID, IP, node, image, template, stages, estimate) and change nothing',
    }),
  ),
})
export type InstallBody = Static<typeof InstallBody>
