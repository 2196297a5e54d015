import { randomBytes } from 'node:crypto'
import { parsePropertyString, printPropertyString } from './property-string.js'
import type { PropertyFormat } from './property-string.js'

export const nicModels = [
  'e1000',
  'e1000-82540em',
  'e1000-82544gc',
  'e1000-82545em',
  'e1000e',
  'i82551',
  'i82557b',
  'i82559er',
  'ne2k_isa',
  'ne2k_pci',
  'pcnet',
  'rtl8139',
  'virtio',
  'vmxnet3',
] as const

const macPattern = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/

const netFormat: PropertyFormat = {
  keys: {
    model: { type: 'enum', values: nicModels },
    macaddr: { type: 'pattern', pattern: macPattern },
    bridge: { type: 'pattern', pattern: /^[-_.\w\d]+$/ },
    firewall: { type: 'bool' },
    link_down: { type: 'bool' },
    // qemu-server PVE/QemuServer/Network.pm $net_fmt: tag 1..4094, mtu 1..65520
    tag: { type: 'int', minimum: 1, maximum: 4094 },
    trunks: { type: 'any' },
    rate: { type: 'any' },
    queues: { type: 'int', minimum: 0 },
    mtu: { type: 'int', minimum: 1, maximum: 65520 },
  },
}

/** A random MAC with the Proxmox OUI `BC:24:11`. */
export function randomMac(): string {
  return [
    'BC',
    '24',
    '11',
    ...[...randomBytes(3)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')),
  ].join(':')
}

/**
 * Checks a `netN` value and returns it as PVE stores it: `virtio=BC:24:11:..,bridge=vmbr0`,
 * with a random MAC when none was given.
 */
export function normalizeNet(
  key: string,
  text: string,
): { ok: true; value: string } | { ok: false; errors: Record<string, string> } {
  // `virtio=MAC` and bare `virtio` both name the model; turn them into model/macaddr keys first
  const parts = text.split(',')
  const first = parts[0] ?? ''
  const [head, mac] = first.split('=', 2)
  const rest = parts.slice(1)
  let rewritten: string
  if (head !== undefined && (nicModels as readonly string[]).includes(head)) {
    rewritten = [`model=${head}`, ...(mac === undefined ? [] : [`macaddr=${mac}`]), ...rest].join(
      ',',
    )
  } else {
    rewritten = text
  }
  const parsed = parsePropertyString(key, rewritten, netFormat)
  if (!parsed.ok) return parsed
  const values = parsed.values
  const model = values.get('model')
  if (model === undefined) {
    return {
      ok: false,
      errors: {
        [key]: 'invalid format - format error\n',
        [`${key}.model`]: 'property is missing and it is not optional',
      },
    }
  }
  const macaddr = (values.get('macaddr') ?? randomMac()).toUpperCase()
  values.delete('model')
  values.delete('macaddr')
  const others = printPropertyString(values)
  return { ok: true, value: `${model}=${macaddr}${others === '' ? '' : `,${others}`}` }
}
