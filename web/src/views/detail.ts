import type { VmInfo } from '../api.js'
import { h } from '../dom.js'

export type ChangeKind = 'cpu' | 'memory' | 'disk' | 'node'

/** What the detail pane lets the user do. */
export interface DetailActions {
  change(vmid: number, kind: ChangeKind, value: string): void
  close(): void
}

function uptime(seconds: number): string {
  if (seconds <= 0) return '–'
  const days = Math.floor(seconds / 86_400)
  const hours = Math.floor((seconds % 86_400) / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  return days > 0 ? `${days}d ${hours}h ${minutes}m` : `${hours}h ${minutes}m`
}

/** One labelled control that sends a change: vCPUs, memory, disk growth, migration. */
function control(
  vm: VmInfo,
  kind: ChangeKind,
  label: string,
  input: HTMLInputElement | HTMLSelectElement,
  actions: DetailActions,
  disabled: boolean,
): HTMLElement {
  const apply = h('button', { type: 'submit', disabled }, kind === 'node' ? 'Migrate' : 'Apply')
  return h(
    'form',
    {
      class: 'control',
      'data-control': kind,
      onsubmit: (event: Event) => {
        event.preventDefault()
        if (input instanceof HTMLInputElement && !input.reportValidity()) return
        actions.change(vm.vmid, kind, input.value.trim())
      },
    },
    h('label', {}, label, ' ', input),
    apply,
  )
}

/** A field with a hint the browser shows instead of "Please match the requested format". */
export function hinted(input: HTMLInputElement, hint: string): HTMLInputElement {
  input.title = hint
  input.addEventListener('invalid', () => input.setCustomValidity(hint))
  input.addEventListener('input', () => input.setCustomValidity(''))
  return input
}

/** The detail pane of one VM: where it runs, how to reach it, its config and its controls. */
export function detailView(
  vm: VmInfo,
  nodes: readonly string[],
  actions: DetailActions,
  locked: boolean,
): (HTMLElement | null)[] {
  const facts: [string, string][] = [
    ['Node', vm.node],
    ['State', vm.status],
    ['Uptime', uptime(vm.uptime)],
    ['OS', vm.os || '–'],
    ['IP', vm.ip ?? '–'],
    ['Addresses', vm.addresses.filter((address) => address !== vm.ip).join(' ') || '–'],
    ['Network', vm.network ?? '–'],
    ['User', vm.user ?? '–'],
  ]
  const cpu = hinted(
    h('input', {
      name: 'cpu',
      type: 'number',
      min: 1,
      max: 32,
      value: vm.config.cores ?? '',
      required: true,
    }),
    'vCPU cores: a whole number from 1 to 32 (VM_MAX_CPU may allow fewer)',
  )
  const memory = hinted(
    h('input', {
      name: 'memory',
      type: 'number',
      min: 512,
      step: 1,
      value: vm.config.memory ?? '',
      required: true,
    }),
    'memory in MB, at least 512, e.g. 4096',
  )
  const disk = hinted(
    h('input', {
      name: 'disk',
      placeholder: '10G',
      pattern: '\\+?[0-9]{1,7}[MGTmgt]?',
      required: true,
    }),
    'how much to grow the boot disk by: a number with G, M or T, e.g. 10G',
  )
  const target = h(
    'select',
    { name: 'node' },
    ...nodes.filter((node) => node !== vm.node).map((node) => h('option', { value: node }, node)),
  )
  const pending = Object.entries(vm.pending ?? {})
  return [
    h(
      'h3',
      {},
      `VM ${vm.vmid} ${vm.name}`,
      h(
        'button',
        {
          type: 'button',
          class: 'close',
          onclick: () => actions.close(),
          'aria-label': 'Close details',
        },
        '×',
      ),
    ),
    h(
      'dl',
      { class: 'facts' },
      ...facts.flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, value)]),
    ),
    vm.ssh === undefined
      ? null
      : h('div', { class: 'ssh' }, h('span', { class: 'key' }, 'SSH'), ' ', h('code', {}, vm.ssh)),
    pending.length === 0
      ? null
      : h(
          'div',
          { class: 'pending-box', role: 'note' },
          h('strong', {}, 'Pending — applies at next restart: '),
          pending.map(([key, value]) => `${key} → ${value}`).join(', '),
        ),
    locked
      ? h('p', { class: 'muted' }, 'This VM is protected or being installed: no changes.')
      : null,
    h(
      'div',
      { class: 'controls' },
      control(vm, 'cpu', 'vCPU', cpu, actions, locked),
      control(vm, 'memory', 'Memory (MB)', memory, actions, locked),
      control(vm, 'disk', 'Grow disk by', disk, actions, locked),
      control(vm, 'node', 'Move to', target, actions, locked || nodes.length < 2),
    ),
    h(
      'details',
      {},
      h('summary', {}, `Configuration (${Object.keys(vm.config).length} keys)`),
      h(
        'table',
        { class: 'config' },
        ...Object.entries(vm.config).map(([key, value]) =>
          h('tr', {}, h('th', {}, key), h('td', {}, value)),
        ),
      ),
    ),
    h('h4', {}, 'Jobs'),
    vm.jobs.length === 0
      ? h('p', { class: 'muted' }, 'No jobs on this VM.')
      : h(
          'ul',
          { class: 'vm-jobs' },
          ...vm.jobs.map((job) =>
            h(
              'li',
              {},
              h('span', { class: `state ${String(job.state)}` }, String(job.state)),
              ` ${String(job.type)} `,
              typeof job.summary === 'string' ? job.summary : '',
              typeof job.created_at === 'string'
                ? h('small', {}, ` ${new Date(job.created_at).toLocaleString()}`)
                : null,
            ),
          ),
        ),
  ]
}
