import { describe, expect, it } from 'vitest'

import {
  createApiDriver,
  createRetryingTransport,
  retryReason,
  type RetryNotice,
} from '../../../../src/pve/drivers/api/index.js'
import { expectPveError } from '../cli/cluster-contract.js'
import { startHttpsTarget, type HttpsTarget } from './https-target.js'

/** The api driver over HTTPS with retries whose waits are recorded instead of slept. */
async function startRetrying(attempts = 4): Promise<{
  target: HttpsTarget
  waits: number[]
  notices: RetryNotice[]
  cluster: ReturnType<typeof createApiDriver>
}> {
  const target = await startHttpsTarget()
  const waits: number[] = []
  const notices: RetryNotice[] = []
  const transport = createRetryingTransport(target.transport, {
    attempts,
    wait: async (ms) => {
      waits.push(ms)
    },
    onRetry: (notice) => notices.push(notice),
  })
  const cluster = createApiDriver({ transport, description: 'retrying', taskPollMs: 5 })
  return { target, waits, notices, cluster }
}

describe('retries', () => {
  it('retries 596 and cut connections with doubling waits, then succeeds', async () => {
    const { target, waits, notices, cluster } = await startRetrying()
    try {
      target.face.injectFaults(
        { kind: 'status', status: 596, message: 'Connection timed out' },
        { kind: 'reset' },
        { kind: 'status', status: 503, message: 'Service Unavailable' },
      )
      expect((await cluster.vmStatus('pve1', 100)).status).toBe('running')
      expect(waits).toEqual([500, 1000, 2000])
      expect(notices.map((n) => [n.attempt, n.path])).toEqual([
        [1, '/nodes/pve1/qemu/100/status/current'],
        [2, '/nodes/pve1/qemu/100/status/current'],
        [3, '/nodes/pve1/qemu/100/status/current'],
      ])
      expect(notices[0]?.reason).toBe('HTTP 596 Connection timed out')
      expect(target.face.requestCount()).toBe(1)
    } finally {
      await target.close()
    }
  })

  it('retries a lock timeout, and a change still happens once', async () => {
    const { target, waits, cluster } = await startRetrying()
    try {
      target.face.injectFaults({
        kind: 'status',
        status: 500,
        message: "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout",
        envelope: true,
      })
      await cluster.updateVm('pve2', 101, { cores: '3' })
      expect(waits).toEqual([500])
      expect((await cluster.vmConfig('pve2', 101)).cores).toBe('3')
    } finally {
      await target.close()
    }
  })

  it('gives up after the last attempt with the last answer', async () => {
    const { target, waits, cluster } = await startRetrying(3)
    try {
      target.face.injectFaults(
        ...Array.from({ length: 3 }, () => ({
          kind: 'status' as const,
          status: 595,
          message: 'Errors during connection establishment, proxy handshake: No route to host',
        })),
      )
      const error = await expectPveError(cluster.resources(), 'unreachable')
      expect(error.message).toMatch(/No route to host/)
      expect(waits).toEqual([500, 1000])
    } finally {
      await target.close()
    }
  })

  it("never retries a 4xx or PVE's definite 500s", async () => {
    const { target, waits, cluster } = await startRetrying()
    try {
      await expectPveError(cluster.updateVm('pve1', 100, { cores: 'x' }), 'invalid_parameter')
      await expectPveError(cluster.vmStatus('pve1', 999), 'vm_not_found')
      await expectPveError(cluster.rebootVm('pve2', 101), 'vm_not_running')
      target.face.injectFaults({ kind: 'status', status: 401, message: 'No ticket' })
      await expectPveError(cluster.resources(), 'permission')
      expect(waits).toEqual([])
      expect(target.face.requestCount()).toBe(3)
    } finally {
      await target.close()
    }
  })

  it('never repeats a write after a 596; with no task of it on the node, it reports failure', async () => {
    const { target, waits, cluster } = await startRetrying()
    try {
      target.face.injectFaults({ kind: 'status', status: 596, message: 'Connection timed out' })
      const error = await expectPveError(cluster.startVm('pve2', 101), 'unreachable')
      expect(error.message).toMatch(/596 Connection timed out; it may have taken effect/)
      expect(error.message).toMatch(/no qmstart task of ours appeared on pve2/)
      expect(waits).toEqual([])
      expect((await cluster.vmStatus('pve2', 101)).status).toBe('stopped')
    } finally {
      await target.close()
    }
  })

  it('does not resend a write whose connection was cut after sending', async () => {
    const { target, waits, cluster } = await startRetrying()
    try {
      target.face.injectFaults({ kind: 'reset' })
      const error = await expectPveError(cluster.shutdownVm('pve1', 100), 'unreachable')
      expect(error.message).toMatch(/it may have taken effect/)
      expect(error.message).toMatch(/no qmshutdown task of ours appeared on pve1/)
      expect(waits).toEqual([])
      expect((await cluster.vmStatus('pve1', 100)).status).toBe('running')
    } finally {
      await target.close()
    }
  })

  it('follows the task a write started when its answer was lost, without sending it again', async () => {
    const { target, waits, cluster } = await startRetrying()
    try {
      target.face.injectFaults({
        kind: 'status',
        status: 596,
        message: 'Connection timed out',
        afterDaemon: true,
      })
      const before = target.face.requestCount()
      await cluster.startVm('pve2', 101)
      expect(waits).toEqual([])
      expect((await cluster.vmStatus('pve2', 101)).status).toBe('running')
      const starts = await target.transport.request({
        method: 'GET',
        path: '/nodes/pve2/tasks',
        params: { source: 'all', typefilter: 'qmstart', vmid: 101 },
      })
      expect(starts.data).toHaveLength(1)
      // one start, then task list, status and log reads: never a second POST
      expect(target.face.requestCount() - before).toBeGreaterThan(1)
    } finally {
      await target.close()
    }
  })

  it('reads the config after a lost answer to a plain change instead of sending it again', async () => {
    const { target, waits, cluster } = await startRetrying()
    try {
      target.face.injectFaults({
        kind: 'status',
        status: 502,
        message: 'Bad Gateway',
        afterDaemon: true,
      })
      await cluster.updateVm('pve2', 101, { cores: '3', tags: null })
      expect(waits).toEqual([])
      expect((await cluster.vmConfig('pve2', 101)).cores).toBe('3')
    } finally {
      await target.close()
    }
  })

  it('stops waiting when the caller cancels', async () => {
    const target = await startHttpsTarget()
    try {
      const controller = new AbortController()
      const transport = createRetryingTransport(target.transport, {
        wait: async (_ms, signal) => {
          controller.abort(new Error('job cancelled'))
          signal?.throwIfAborted()
        },
      })
      target.face.injectFaults({ kind: 'status', status: 503, message: 'Service Unavailable' })
      await expect(
        transport.request({ method: 'GET', path: '/version', signal: controller.signal }),
      ).rejects.toThrow('job cancelled')
    } finally {
      await target.close()
    }
  })
})

describe('retryReason', () => {
  it.each([
    [{ status: 596, data: null, message: 'Connection timed out' }, undefined],
    [{ status: 502, data: null, message: 'Bad Gateway' }, undefined],
    [{ status: 500, data: null, noEnvelope: true }, undefined],
    [
      { status: 500, data: null, message: "can't lock file 'x' - got timeout" },
      "HTTP 500 can't lock file 'x' - got timeout",
    ],
  ])('a write after %o → %s', (response, reason) => {
    expect(retryReason(response, 'POST')).toBe(reason)
  })

  it.each([
    [{ status: 502, data: null, message: 'Bad Gateway' }, 'HTTP 502 Bad Gateway'],
    [{ status: 500, data: null, noEnvelope: true }, 'HTTP 500'],
    [{ status: 500, data: null, message: "Configuration file 'x' does not exist" }, undefined],
    [
      {
        status: 500,
        data: null,
        message: "can't lock file '/var/lock/qemu-server/lock-1.conf' - got timeout",
      },
      "HTTP 500 can't lock file '/var/lock/qemu-server/lock-1.conf' - got timeout",
    ],
    [
      { status: 500, data: null, message: "VM 1 qmp command 'device_add' failed - got timeout" },
      undefined,
    ],
    [{ status: 501, data: null, noEnvelope: true }, undefined],
    [{ status: 400, data: null, message: 'Parameter verification failed.' }, undefined],
    [{ status: 403, data: null, message: 'Permission check failed (/, Sys.Audit)' }, undefined],
    [{ status: 200, data: 'x' }, undefined],
  ])('%o → %s', (response, reason) => {
    expect(retryReason(response)).toBe(reason)
  })
})
