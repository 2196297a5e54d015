import { Type, type Static } from '@sinclair/typebox'
import { InvalidInputError } from '../../provision/errors.js'

/** One OpenSSH public key: type, base64 blob, and an optional comment of printable ASCII. */
const keyLine =
  '(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) [A-Za-z0-9+/]+={0,3}(?: [\\x20-\\x7e]*)?'

/**
 * `POST /api/vm/install`: the seed's request fields. Unknown fields are dropped before anything
 * reads the body (`additionalProperties: false` with Ajv's `removeAdditional`), so they change
 * neither the request nor its idempotency fingerprint.
 */
export const InstallBody = Type.Object(
  {
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
        description: 'SSH user; default the image user; never root or a system account',
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
        pattern: `^${keyLine}(?:\\r?\\n${keyLine})*(?:\\r?\\n)?$`,
        description: 'OpenSSH public keys, one per line (no options); a trailing newline is fine',
      }),
    ),
    network: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$',
        description: 'the network (NETWORKS_FILE) the VM joins; default the first one',
      }),
    ),
    ip: Type.Optional(
      Type.String({
        pattern: '^[0-9A-Fa-f.:]{2,45}$',
        description:
          "the VM's address, free and inside the network's pool (IPv4, or IPv6 on an IPv6 pool); default: the next free one",
      }),
    ),
    dry_run: Type.Optional(
      Type.Boolean({
        description:
          'true: answer the plan as JSON (VMID, IP, node, image, template, stages, estimate) and change nothing',
      }),
    ),
  },
  { additionalProperties: false },
)
export type InstallBody = Static<typeof InstallBody>

/** Optional fields a Go client sends as `""` or `0` when they are not set. */
const optionalFields = [
  'name',
  'id',
  'node',
  'cpu',
  'ram',
  'disk',
  'user',
  'passwd',
  'pubkey',
  'network',
  'ip',
]

/**
 * Leaves out of the body, in place, every optional field that holds its Go zero value (`""`,
 * `0`) or `null`: the seed's own Go client, and any Go struct without `omitempty`, sends
 * `"name":"","cpu":0,"ram":0,"disk":"","user":""` for what the caller did not set, and the
 * original service read those as "not given". Anything that is not an object is left alone.
 */
export function dropUnsetFields(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return
  for (const key of optionalFields) {
    const value: unknown = Reflect.get(body, key)
    if (value === '' || value === 0 || value === null) Reflect.deleteProperty(body, key)
  }
}

/**
 * Accounts no install may create or take over: root and the system accounts (uid < 1000) of
 * Debian, Ubuntu and Rocky Linux images. Cloud-init would add the request's key and password to
 * such an account, and `sudo` rights with it.
 */
const systemAccounts = new Set(
  `root daemon bin sys sync games man lp mail news uucp proxy www-data backup list irc
   gnats nobody messagebus sshd syslog adm halt shutdown operator ftp dbus polkitd rpc
   rpcuser tss chrony ntp postfix uuidd tcpdump landscape pollinate lxd dnsmasq usbmux
   avahi rtkit colord cups sssd unbound nscd statd qemu libvirt-qemu tape disk kmem wheel
   video audio input render staff users nogroup utmp shadow systemd-journal cockpit-ws
   setroubleshoot clevis`.split(/\s+/),
)

/**
 * Refuses (400 naming `user`) root and system accounts; `systemd-*` and `_*` names are system
 * accounts too. Call it on a validated body.
 */
export function refuseSystemAccount(user: string | undefined): void {
  if (user === undefined) return
  if (systemAccounts.has(user) || user.startsWith('systemd-') || user.startsWith('_')) {
    throw new InvalidInputError(
      'user',
      `"${user}" is root or a system account; choose an ordinary user name such as "deploy"`,
    )
  }
}

/** The request's keys one per line, without blank lines, CRs or a trailing newline. */
export function normalizePublicKeys(pubkey: string | undefined): string | undefined {
  if (pubkey === undefined) return undefined
  return pubkey
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n')
}
