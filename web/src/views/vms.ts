import type { VmListReply } from '../../../src/http/schemas/vm.js'
import { h } from '../dom.js'

/** A listed VM; `protected` when the service never stops, changes or destroys it. */
export type ListedVm = VmListReply['vms'][number] & { protected?: boolean }
export type VmAction = 'start' | 'stop' | 'shutdown' | 'reboot' | 'destroy'

/** The VM table: state and the actions that make sense in it. */
export function vmRows(
  vms: readonly ListedVm[],
  busy: ReadonlySet<number>,
  act: (vm: ListedVm, action: VmAction) => void,
): HTMLElement[] {
  if (vms.length === 0)
    return [h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'No VMs yet — install one below.'))]
  return [...vms]
    .sort((a, b) => a.vmid - b.vmid)
    .map((vm) => {
      const working = busy.has(vm.vmid)
      const locked = vm.protected === true
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
      const state = working ? 'working…' : vm.running ? 'running' : 'stopped'
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
            { class: `state ${working ? 'working' : vm.running ? 'running' : 'stopped'}` },
            state,
          ),
        ),
        h('td', {}, vm.node),
        h('td', {}, vm.os),
        h('td', { class: 'num' }, vm.cpu),
        h('td', { class: 'num' }, `${vm.memory} MB`),
        h('td', { class: 'num' }, `${vm.disk} GB`),
        h(
          'td',
          { class: 'actions' },
          button('start', 'Start', !vm.running),
          button('shutdown', 'Shutdown', vm.running && !locked),
          button('stop', 'Stop', vm.running && !locked),
          button('reboot', 'Reboot', vm.running && !locked),
          button('destroy', 'Destroy', !locked, 'danger'),
        ),
      )
    })
}
