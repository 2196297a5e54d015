import { describe, expect, it } from 'vitest'

import { PveTaskError } from '../../../../src/pve/drivers/api/errors.js'
import { waitForTask } from '../../../../src/pve/drivers/api/wait-for-task.js'

const upid = 'UPID:pve1:0000EA7F:000A9C68:695FF63E:qmclone:9000:root@pam:'

/**
 * A task as the API shows it: its log grows by one line per poll of the log (the worker runs
 * while the service waits), and its status says stopped once the last line is written.
 */
function scriptedTask(lines: string[], exitstatus: string | undefined) {
  const requests: string[] = []
  let written = 0
  const read = (path: string, params?: Record<string, unknown>): Promise<unknown> => {
    const kind = path.endsWith('/log') ? 'log' : 'status'
    requests.push(kind)
    if (kind === 'status') {
      const stopped = written >= lines.length
      return Promise.resolve(
        stopped && exitstatus !== undefined
          ? { upid, status: 'stopped', exitstatus }
          : { upid, status: 'running' },
      )
    }
    written = Math.min(written + 1, lines.length)
    const start = Number(params?.start ?? 0)
    const shown = lines.slice(start, written).map((t, index) => ({ n: start + index + 1, t }))
    return Promise.resolve(shown.length > 0 ? shown : [{ n: 1, t: 'no content' }])
  }
  return { read, requests }
}

describe('waitForTask', () => {
  it('ends at the log closing line, without a status read, and passes the lines on', async () => {
    const task = scriptedTask(['create linked clone of drive scsi0', 'TASK OK'], 'OK')
    const lines: string[] = []

    await waitForTask({
      upid,
      node: 'pve1',
      pollMs: 2,
      read: task.read,
      onLine: (l) => lines.push(l),
    })

    expect(lines).toEqual(['create linked clone of drive scsi0'])
    expect(task.requests).toEqual(['log', 'log'])
  })

  it('fails with the error of `TASK ERROR: …` and the lines before it', async () => {
    const task = scriptedTask(['trying', 'TASK ERROR: clone failed: no space'], 'clone failed')
    const error = await waitForTask({ upid, node: 'pve1', pollMs: 2, read: task.read }).catch(
      (caught: unknown) => caught,
    )

    expect(error).toBeInstanceOf(PveTaskError)
    expect(error).toMatchObject({ exitStatus: 'clone failed: no space', lastLines: ['trying'] })
  })

  it('notices a worker that died without a closing line through its status', async () => {
    const task = scriptedTask(['copying'], 'unexpected status')
    const error = await waitForTask({ upid, node: 'pve1', pollMs: 2, read: task.read }).catch(
      (caught: unknown) => caught,
    )

    expect(error).toMatchObject({ exitStatus: 'unexpected status', lastLines: ['copying'] })
    expect(task.requests.filter((kind) => kind === 'status')).toHaveLength(1)
  })
})
