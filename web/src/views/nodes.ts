import type { VmListReply } from '../../../src/http/schemas/vm.js'
import { h } from '../dom.js'

type ListedNode = VmListReply['nodes'][number]

function bar(label: string, fraction: number, text: string): HTMLElement {
  const percent = Math.max(0, Math.min(100, Math.round(fraction * 100)))
  const level = percent >= 90 ? 'high' : percent >= 70 ? 'mid' : 'low'
  return h(
    'div',
    { class: 'bar-row' },
    h('span', { class: 'bar-label' }, label),
    h(
      'div',
      {
        class: 'bar',
        role: 'meter',
        'aria-label': `${label} usage`,
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': percent,
      },
      h('div', { class: `bar-fill ${level}`, style: `width: ${percent}%` }),
    ),
    h('span', { class: 'bar-text' }, text),
  )
}

/** One card per node: state and CPU, memory and disk bars. */
export function nodeCards(nodes: readonly ListedNode[]): HTMLElement[] {
  return nodes.map((node) =>
    h(
      'article',
      { class: `node ${node.running ? 'online' : 'offline'}`, 'data-node': node.node },
      h(
        'header',
        {},
        h('strong', {}, node.node),
        h('span', { class: 'badge' }, node.running ? 'online' : 'offline'),
      ),
      bar('CPU', node.cpu, `${Math.round(node.cpu * 100)}% of ${node.max_cpu}`),
      bar(
        'Memory',
        node.memory,
        `${(node.memory_used / 1024).toFixed(1)} / ${(node.max_memory / 1024).toFixed(0)} GB`,
      ),
      bar('Disk', node.disk, `${Math.round(node.disk * 100)}%`),
    ),
  )
}
