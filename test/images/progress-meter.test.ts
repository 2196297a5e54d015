import { describe, expect, it } from 'vitest'

import { createProgressMeter, type DownloadProgress } from '../../src/images/progress-meter.js'

function meter(totalBytes: number | undefined, intervalMs = 1000) {
  let time = 0
  const events: DownloadProgress[] = []
  const progress = createProgressMeter({
    totalBytes,
    intervalMs,
    now: () => time,
    emit: (event) => events.push(event),
  })
  return {
    events,
    at(ms: number, bytes: number) {
      time = ms
      progress.add(bytes)
    },
    finish(ms: number) {
      time = ms
      progress.finish()
    },
  }
}

describe('createProgressMeter', () => {
  it('reports once per interval, with the speed since the last report', () => {
    const m = meter(10_000_000)
    m.at(200, 1_000_000)
    m.at(999, 1_000_000)
    m.at(1000, 1_000_000)
    m.at(1500, 1_000_000)
    m.at(2500, 2_000_000)
    expect(m.events).toEqual([
      { receivedBytes: 3_000_000, totalBytes: 10_000_000, percent: 30, bytesPerSecond: 3_000_000 },
      { receivedBytes: 6_000_000, totalBytes: 10_000_000, percent: 60, bytesPerSecond: 2_000_000 },
    ])
  })

  it('ends with one report at 100 % and the average speed', () => {
    const m = meter(4_000_000)
    m.at(100, 4_000_000)
    m.finish(2000)
    expect(m.events).toEqual([
      { receivedBytes: 4_000_000, totalBytes: 4_000_000, percent: 100, bytesPerSecond: 2_000_000 },
    ])
  })

  it('leaves out total and percent while the size is unknown', () => {
    const m = meter(undefined)
    m.at(1000, 512)
    expect(m.events).toEqual([{ receivedBytes: 512, bytesPerSecond: 512 }])
  })

  it('rounds the percent down to one decimal, so 100 only comes at the end', () => {
    const m = meter(1000)
    m.at(1000, 999)
    expect(m.events[0]?.percent).toBe(99.9)
  })

  it('leaves the 100 % report to the end, even when the last chunk is due a report', () => {
    const m = meter(1000)
    m.at(1000, 600)
    m.at(2000, 400)
    m.finish(2000)
    expect(m.events.map((event) => event.percent)).toEqual([60, 100])
  })

  it('reports every chunk with a zero interval, without dividing by zero time', () => {
    const m = meter(100, 0)
    m.at(0, 10)
    m.at(0, 10)
    expect(m.events.map((event) => event.bytesPerSecond)).toEqual([0, 0])
    expect(m.events.map((event) => event.receivedBytes)).toEqual([10, 20])
  })
})
