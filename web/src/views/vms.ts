import type { VmListReply } from '../../../src/http/schemas/vm.js'
import { h } from '../dom.js'

/**
 * A listed VM; `protected` when the service never stops, changes or destroys it; `pending` the
 * configuration values waiting for its next restart.
 */
export type ListedVm = VmListReply['vms'][number] & {
  protected?: boolean
  pending?: Record<string, string>
}
export type VmAction = 'start' | 'stop' | 'shutdown' | 'reboot' | 'destroy' | 'details'

/** Every address of a VM, its first IPv4 (`ip`) first. */
export function addressesOf(vm: Pick<ListedVm, 'ip' | 'addresses'>): string[] {
  const all = vm.addresses ?? []
  return vm.ip === undefined ? all : [vm.ip, ...all.filter((address) => address !== vm.ip)]
}

/** The VM table: state and the actions that make sense in it. */
export function vmRows(
  vms: readonly ListedVm[],
  busy: ReadonlySet<number>,
  act: (vm: ListedVm, action: VmAction) => void,
): HTMLElement[] {
  if (vms.length === 0)
    return [
      h('tr', {}, h('td', { colspan: 10, class: 'empty' }, 'No VMs yet — install one below.')),
    ]
  return [...vms]
    .sort((a, b) => a.vmid - b.vmid)
    .map((vm) => {
      // an install at work on the VM: nothing may touch it until the install ends
      const installing = vm.installing !== undefined
      const working = busy.has(vm.vmid) || installing
      const locked = vm.protected === true
      const pending = Object.entries(vm.pending ?? {})
      const button = (action: VmAction, label: string, enabled: boolean, kind = ''): HTMLElement =>
        h(
          'button',
          {
            type: 'button',
            class: kind,
            disabled: !enabled || working,
            onclick: () => act(vm, action),
            'aria-label': `${label} VM ${vm.vmid}`,
          },
          label,
        )
      const state = installing
        ? 'installing…'
        : working
          ? 'working…'
          : vm.running
            ? 'running'
            : 'stopped'
      return h(
        'tr',
        { 'data-vmid': vm.vmid },
        h('td', { class: 'num' }, vm.vmid),
        h(
          'td',
          {},
          vm.name,
          locked
            ? h(
                'span',
                {
                  class: 'badge protected',
                  title: 'protected: never stopped, changed or destroyed',
                },
                ' protected',
              )
            : null,
        ),
        h(
          'td',
          {},
          h(
            'span',
            {
              class: `state ${working ? 'working' : vm.running ? 'running' : 'stopped'}`,
              title: vm.installing?.stage ?? '',
            },
            state,
          ),
          pending.length === 0
            ? null
            : h(
                'span',
                {
                  class: 'badge pending',
                  title: `applies at next restart: ${pending.map(([key, value]) => `${key}=${value}`).join(', ')}`,
                },
                'pending',
              ),
        ),
        h('td', {}, vm.node),
        h('td', { class: 'ip' }, addressesOf(vm).join(' ') || '–'),
        h('td', {}, vm.network ?? '–'),
        h('td', {}, vm.os),
        h('td', { class: 'num' }, vm.cpu),
        h('td', { class: 'num' }, `${vm.memory} MB`),
        h('td', { class: 'num' }, `${vm.disk} GB`),
        h(
          'td',
          { class: 'actions' },
          h(
            'button',
            {
              type: 'button',
              onclick: () => act(vm, 'details'),
              'aria-label': `Details of VM ${vm.vmid}`,
            },
            'Details',
          ),
          button('start', 'Start', !vm.running),
          button('shutdown', 'Shutdown', vm.running && !locked),
          button('stop', 'Stop', vm.running && !locked),
          button('reboot', 'Reboot', vm.running && !locked),
          button('destroy', 'Destroy', !locked, 'danger'),
        ),
      )
    })
}
