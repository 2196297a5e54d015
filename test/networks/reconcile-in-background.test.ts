import { describe, expect, it } from 'vitest'
import { reconcileInBackground } from '../../src/networks/index.js'

describe('the start-up reconciliation', () => {
  it('logs a failed read and tries again until one succeeds', async () => {
    const warnings: string[] = []
    let calls = 0
    let succeeded: () => void = () => undefined
    const done = new Promise<void>((resolve) => (succeeded = resolve))
    const stop = reconcileInBackground(
      {
        async reconcile() {
          calls++
          if (calls < 3) throw new Error(`node pve2 unreachable (${calls})`)
          succeeded()
        },
      },
      { warn: (_, message) => warnings.push(message), retryMs: 1 },
    )
    await done
    stop()
    expect(calls).toBe(3)
    expect(warnings).toEqual([
      'reading the addresses VMs use failed; retrying',
      'reading the addresses VMs use failed; retrying',
    ])
  })

  it('cancels a read still running when the service closes', async () => {
    let started: (signal: AbortSignal | undefined) => void = () => undefined
    const reading = new Promise<AbortSignal | undefined>((resolve) => (started = resolve))
    const warnings: string[] = []
    const stop = reconcileInBackground(
      {
        reconcile: (signal) =>
          new Promise<void>((_, reject) => {
            started(signal)
            signal?.addEventListener('abort', () => reject(new Error('aborted')))
          }),
      },
      { warn: (_, message) => warnings.push(message), retryMs: 1 },
    )
    const signal = await reading
    expect(signal?.aborted).toBe(false)
    stop()
    expect(signal?.aborted).toBe(true)
    // a read cancelled by the close is no failure to log or retry
    await Promise.resolve()
    expect(warnings).toEqual([])
  })
})
