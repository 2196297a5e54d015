import { expect } from 'vitest'
import type { SseRead } from './sse-client.js'

/** The `result` of an install's last event. */
export interface InstallResult {
  vmid: number
  ip: string
  node: string
  network?: string
  addresses?: string[]
}

/** The install's last event, which carries the result; fails the test on an error event. */
export function installResultOf(stream: SseRead): InstallResult {
  expect(stream.steps.filter((step) => step.status === 'error')).toEqual([])
  const last = stream.events.filter((event) => event.event !== 'close').at(-1)?.data
  const result =
    typeof last === 'object' && last !== null && 'result' in last ? last.result : undefined
  expect(result).toBeDefined()
  return result as InstallResult
}
