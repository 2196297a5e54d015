import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../src/store/index.js'

let store: Store
let clock = 0
const tick = (): Date => new Date((clock += 1000))

beforeEach(() => {
  clock = Date.parse('2025-03-01T10:00:00.000Z')
  store = openStore({ path: ':memory:', now: tick })
})
afterEach(() => {
  store.close()
})

const job = (id: string, extra: Partial<Parameters<Store['jobs']['insert']>[0]> = {}): void => {
  store.jobs.insert({
    id,
    type: 'install',
    state: 'running',
    createdAt: tick().toISOString(),
    ...extra,
  })
}

describe('jobs table', () => {
  it('lists newest first, filtered by state, type and VMID', () => {
    job('a', { vmid: 101 })
    job('b', { type: 'start', vmid: 101 })
    job('c', { vmid: 102 })
    store.jobs.finish('a', 'failed', tick().toISOString(), 'boom')
    const ids = (filter: Parameters<Store['jobs']['list']>[0]): string[] =>
      store.jobs.list(filter).map((row) => row.id)
    expect(ids({ limit: 10 })).toEqual(['c', 'b', 'a'])
    expect(ids({ limit: 2 })).toEqual(['c', 'b'])
    expect(ids({ limit: 10, state: 'running' })).toEqual(['c', 'b'])
    expect(ids({ limit: 10, type: 'install' })).toEqual(['c', 'a'])
    expect(ids({ limit: 10, vmid: 101 })).toEqual(['b', 'a'])
    expect(ids({ limit: 10, vmid: 101, type: 'install', state: 'failed' })).toEqual(['a'])
    expect(store.jobs.get('a')).toMatchObject({ state: 'failed', error: 'boom', vmid: 101 })
  })

  it('records a VMID, a state change and finds a job by its idempotency key', () => {
    job('a', { idempotencyKey: 'k-1', requestFingerprint: 'scrypt:x:y' })
    store.jobs.setVmid('a', 150)
    store.jobs.setState('a', 'queued', {})
    expect(store.jobs.inStates(['queued', 'running']).map((row) => row.id)).toEqual(['a'])
    expect(store.jobs.findByIdempotencyKey('k-1')).toMatchObject({ id: 'a', vmid: 150 })
    expect(store.jobs.findByIdempotencyKey('k-2')).toBeUndefined()
    expect(() => job('b', { idempotencyKey: 'k-1' })).toThrow(/UNIQUE/)
  })
})

describe('job events table', () => {
  it('returns the events after a sequence number, in order, and the last number', () => {
    job('a')
    for (const seq of [1, 2, 3]) {
      store.events.append('a', {
        seq,
        at: 'now',
        step: 's',
        status: 'processing',
        message: `m${seq}`,
      })
    }
    store.events.append('a', {
      seq: 4,
      at: 'now',
      step: 's',
      status: 'success',
      message: 'done',
      vmid: 7,
      ip: '127.0.0.7',
    })
    expect(store.events.after('a', 2).map((event) => event.message)).toEqual(['m3', 'done'])
    expect(store.events.after('a', 3)).toEqual([
      {
        seq: 4,
        at: 'now',
        step: 's',
        status: 'success',
        message: 'done',
        vmid: 7,
        ip: '127.0.0.7',
      },
    ])
    expect(store.events.lastSeq('a')).toBe(4)
    expect(store.events.lastSeq('nobody')).toBe(0)
    expect(() =>
      store.events.append('a', {
        seq: 4,
        at: 'now',
        step: 's',
        status: 'success',
        message: 'again',
      }),
    ).toThrow()
  })
})

describe('reservations table', () => {
  it('holds a VMID for one owner until that owner releases it', () => {
    const { reservations } = store
    expect(reservations.reserve(105, 'job-1')).toBe(true)
    expect(reservations.reserve(105, 'job-2')).toBe(false)
    reservations.release(105, 'job-2')
    expect(reservations.reserved().get(105)).toBe('job-1')
    reservations.reserve(106, 'job-1')
    expect(reservations.releaseOwner('job-1').sort()).toEqual([105, 106])
    expect(reservations.reserved().size).toBe(0)
    expect(reservations.reserve(105, 'job-2')).toBe(true)
  })
})

describe('host keys table', () => {
  it('keeps guest and node keys apart, replaces and forgets them', () => {
    store.guestHostKeys.set('127.0.0.105', 'SHA256:aaa')
    store.nodeHostKeys.set('127.0.0.105', 'SHA256:node')
    store.guestHostKeys.set('127.0.0.105', 'SHA256:bbb')
    expect(store.guestHostKeys.get('127.0.0.105')).toBe('SHA256:bbb')
    expect(store.nodeHostKeys.get('127.0.0.105')).toBe('SHA256:node')
    store.guestHostKeys.forget('127.0.0.105')
    expect(store.guestHostKeys.get('127.0.0.105')).toBeUndefined()
    expect(store.nodeHostKeys.get('127.0.0.105')).toBe('SHA256:node')
  })
})

describe('audit table', () => {
  it('records who, from where, what and the result, newest first', () => {
    store.audit.record({
      actor: 'ci',
      address: '127.0.0.1',
      action: 'POST /api/vm/101/stop',
      vmid: 101,
      status: 200,
      result: 'ok',
    })
    store.audit.record({
      actor: 'anonymous',
      address: '::1',
      action: 'POST /api/vm/install',
      status: 401,
      result: 'AUTH_REQUIRED',
    })
    const [last, first] = store.audit.recent(10)
    expect(last).toMatchObject({ actor: 'anonymous', status: 401, result: 'AUTH_REQUIRED' })
    expect(last?.vmid).toBeUndefined()
    expect(first).toMatchObject({
      actor: 'ci',
      address: '127.0.0.1',
      vmid: 101,
      at: '2025-03-01T10:00:01.000Z',
    })
  })
})
