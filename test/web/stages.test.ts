import { describe, expect, it } from 'vitest'
import { applyEvent, emptyProgress, sshCommand, type WireEvent } from '../../web/src/stages.js'

const install: WireEvent[] = [
  {
    step: 'preparation > checking VMID',
    status: 'processing',
    message: '[*] start VM installation',
    job_id: 'j1',
  },
  {
    step: 'preparation > checking VMID',
    status: 'success',
    message: '[+] auto-assigned VMID: 103 (0.02s)',
  },
  {
    step: 'VM initialization > SSH initialization',
    status: 'processing',
    message: '  installing: curl',
  },
  {
    step: 'VM initialization > SSH initialization',
    status: 'processing',
    message: '    indented deeper',
  },
  {
    step: 'VM initialization > SSH initialization',
    status: 'success',
    message: '[+] SSH initialization completed (5.21s)',
  },
  {
    step: 'VM initialization > finalizing',
    status: 'success',
    message: '[+] VM installation completed in 9.00s',
    vm_id: 103,
    ip: '127.0.0.103',
  },
  { step: 'VM initialization > finalizing', status: 'success', message: '[*] VMID: 103' },
  { step: 'VM initialization > finalizing', status: 'success', message: '[*] User: deploy' },
]

describe("the dashboard's progress model", () => {
  it('folds an install into stages with details, seconds, script output and the ssh command', () => {
    const progress = emptyProgress()
    for (const event of install) applyEvent(progress, event)
    expect(
      progress.stages.map((stage) => [stage.step, stage.state, stage.detail, stage.seconds]),
    ).toEqual([
      ['preparation > checking VMID', 'done', 'auto-assigned VMID: 103', 0.02],
      ['VM initialization > SSH initialization', 'done', 'SSH initialization completed', 5.21],
      ['VM initialization > finalizing', 'done', 'VM installation completed in 9.00s', undefined],
    ])
    expect(progress.stages[1]?.output).toEqual(['installing: curl', '  indented deeper'])
    expect(progress.facts).toEqual({ VMID: '103', User: 'deploy' })
    expect(sshCommand(progress)).toBe('ssh deploy@127.0.0.103')
    expect(progress.log).toHaveLength(install.length)
  })

  it('puts a failure under the stage it names', () => {
    const progress = emptyProgress()
    applyEvent(progress, {
      step: 'SSH preparation > checking SSH key',
      status: 'success',
      message: '[+] SSH keys ready (1) (0.00s)',
    })
    applyEvent(progress, {
      step: 'SSH preparation > checking SSH key',
      status: 'error',
      message: '[-] VM creation > creating VM failed: unable to create VM 103; nothing was created',
    })
    expect(progress.stages.map((stage) => [stage.step, stage.state])).toEqual([
      ['SSH preparation > checking SSH key', 'done'],
      ['VM creation > creating VM', 'failed'],
    ])
    expect(progress.failure).toBe(
      'VM creation > creating VM: unable to create VM 103; nothing was created',
    )
  })
})
