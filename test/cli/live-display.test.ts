import { describe, expect, it } from 'vitest'
import type { JobEvent } from '../../src/cli/api/job-event.js'
import { createStyle } from '../../src/cli/output/output.js'
import { createLiveRenderer } from '../../src/cli/progress/live-renderer.js'
import { createStageBoard } from '../../src/cli/progress/stage-board.js'
import { createFakeScreen } from './fake-screen.js'

const event = (step: string, status: JobEvent['status'], message: string): JobEvent => ({
  id: undefined,
  step,
  status,
  message,
})

/** Lines with column padding squeezed to two spaces, so layouts read plainly in tests. */
function squeezed(lines: string[]): string[] {
  return lines.map((line) => {
    const indent = /^ */.exec(line)?.[0] ?? ''
    return indent + line.slice(indent.length).replace(/ {2,}/g, '  ')
  })
}

function display(columns = 100, rows = 40) {
  let now = 1_000
  const screen = createFakeScreen(columns, rows)
  const board = createStageBoard(() => now)
  const renderer = createLiveRenderer({
    terminal: screen,
    style: createStyle(false),
    now: () => now,
    intervalMs: 0,
  })
  return {
    screen,
    board,
    feed(next: JobEvent, advanceMs = 0) {
      now += advanceMs
      renderer.render(board.apply(next))
    },
    finish: () => renderer.finish(),
  }
}

describe('the live display', () => {
  it('draws a running stage with a spinner, then rewrites the same line as ✓ with its seconds', () => {
    const d = display()
    d.feed(event('preparation > checking VMID', 'processing', '[*] start VM installation'))
    expect(squeezed(d.screen.lines())).toEqual([
      'preparation',
      '  ⠋ checking VMID  0s  start VM installation',
    ])
    d.feed(
      event('preparation > checking VMID', 'success', '[+] auto-assigned VMID: 103 (0.02s)'),
      20,
    )
    d.finish()
    expect(squeezed(d.screen.lines())).toEqual([
      'preparation',
      '  ✓ checking VMID  0.02s  auto-assigned VMID: 103',
    ])
    expect(d.screen.raw.endsWith('\x1b[?25h')).toBe(true)
  })

  it('prints output under its stage and still marks the stage line itself when it ends', () => {
    const d = display()
    const step = 'VM initialization > SSH initialization'
    d.feed(event(step, 'processing', '  waiting for cloud-init to finish'))
    d.feed(event(step, 'processing', '  first-boot setup finished'))
    d.feed(event(step, 'success', '[+] SSH initialization completed (5.21s)'), 5210)
    d.feed(event('VM initialization > rebooting VM', 'error', '[-] reboot timed out'), 3000)
    expect(squeezed(d.screen.lines())).toEqual([
      'VM initialization',
      '  ✓ SSH initialization  5.21s  SSH initialization completed',
      '      │ waiting for cloud-init to finish',
      '      │ first-boot setup finished',
      '  ✗ rebooting VM  3.00s  reboot timed out',
    ])
  })

  it('cuts long lines to the terminal width so rows stay countable', () => {
    const d = display(60)
    d.feed(event('VM creation > creating VM', 'processing', `  ${'x'.repeat(200)}`))
    for (const line of squeezed(d.screen.lines())) expect(line.length).toBeLessThan(60)
  })

  it('prints the result anew once the stage line has scrolled off the screen', () => {
    const d = display(100, 5)
    const step = 'VM initialization > SSH initialization'
    d.feed(event(step, 'processing', '[*] running'))
    for (let line = 1; line <= 6; line += 1) d.feed(event(step, 'processing', `  line ${line}`))
    d.feed(event(step, 'success', '[+] SSH initialization completed (1.00s)'))
    expect(squeezed(d.screen.lines()).at(-1)).toBe(
      '  ✓ SSH initialization  1.00s  SSH initialization completed',
    )
  })

  it('puts a failure that names its stage under that stage', () => {
    const d = display()
    d.feed(event('SSH preparation > checking SSH key', 'success', '[+] SSH keys ready (1) (0.00s)'))
    d.feed(
      event(
        'SSH preparation > checking SSH key',
        'error',
        '[-] VM creation > creating VM failed: unable to create VM 103',
      ),
    )
    expect(d.board.failure?.stage.step).toBe('VM creation > creating VM')
    expect(squeezed(d.screen.lines())).toEqual([
      'SSH preparation',
      '  ✓ checking SSH key  0.00s  SSH keys ready (1)',
      'VM creation',
      '  ✗ creating VM  0.00s  unable to create VM 103',
    ])
  })
})

describe('a failed stage (issue 15.6)', () => {
  it('is named once: by its line, not again in the message', () => {
    const d = display()
    const step = 'VM creation > creating VM'
    d.feed(event(step, 'processing', '[*] creating VM 103'))
    d.feed(event(step, 'error', `[-] ${step} failed: unable to create VM 103; nothing was created`))
    const lines = squeezed(d.screen.lines())
    expect(lines.at(-1)).toBe(
      '  ✗ creating VM  0.00s  unable to create VM 103; nothing was created',
    )
    expect(d.board.failure?.message).toBe('unable to create VM 103; nothing was created')
  })
})

describe('the stage board', () => {
  it('keeps the closing facts of an install', () => {
    const { board } = display()
    const finalizing = 'VM initialization > finalizing'
    board.apply({
      ...event(finalizing, 'success', '[+] VM installation completed in 67.83s'),
      vm_id: 101,
      ip: '192.168.0.101',
    })
    board.apply(event(finalizing, 'success', '[*] VMID: 101'))
    board.apply(event(finalizing, 'success', '[*] User: deploy'))
    expect(board.facts.vmId).toBe(101)
    expect(board.facts.ip).toBe('192.168.0.101')
    expect(board.facts.values.get('User')).toBe('deploy')
    expect(board.stages.map((stage) => [stage.label, stage.state, stage.detail])).toEqual([
      ['finalizing', 'done', 'VM installation completed in 67.83s'],
    ])
  })
})
