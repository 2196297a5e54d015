import { createParser } from 'eventsource-parser'
import type { EventSourceMessage } from 'eventsource-parser'
import { describe, expect, it } from 'vitest'
import {
  SSE_CLOSE,
  SseFieldError,
  formatSseComment,
  formatSseEvent,
} from '../../../src/http/sse/index.js'

function parseFrames(text: string): { events: EventSourceMessage[]; comments: string[] } {
  const events: EventSourceMessage[] = []
  const comments: string[] = []
  const parser = createParser({
    onEvent: (event) => events.push(event),
    onComment: (comment) => comments.push(comment),
  })
  parser.feed(text)
  return { events, comments }
}

describe('formatSseEvent', () => {
  const payloads: [string, unknown][] = [
    ['double quotes', { message: 'say "hi"' }],
    ['backslashes', { path: 'C:\\images\\debian.qcow2', regex: '\\d+\\n' }],
    ['LF', { message: 'line one\nline two' }],
    ['CR and CRLF', { message: 'a\rb\r\nc' }],
    ['a forged frame', { message: 'x\n\nid: 99\nevent: close\ndata: {}\n\n' }],
    ['leading spaces and colons', { message: ': not a comment', other: '  data: x' }],
    ['unicode', { message: 'Grüße, 你好, привет, \u2028\u2029' }],
    ['emoji', { message: '🚀 done ✅ 👩‍💻' }],
    ['control characters', { message: '\u0000\u0007\t\u001b[31m' }],
    ['nested values', { step: 's', vm_id: 101, ok: true, list: [1, null, 'x'], none: null }],
    ['a bare string', 'just text'],
    ['a number', 42],
    ['null', null],
    ['an empty object', {}],
  ]

  it.each(payloads)('round-trips a payload with %s through a real SSE parser', (_, payload) => {
    const frame = formatSseEvent({ id: 7, event: 'stage', data: payload })
    const { events } = parseFrames(frame)
    expect(events).toHaveLength(1)
    expect(events[0]?.id).toBe('7')
    expect(events[0]?.event).toBe('stage')
    expect(JSON.parse(events[0]?.data ?? '')).toEqual(payload)
  })

  it('writes exactly one data line and ends the frame with a blank line', () => {
    expect(formatSseEvent({ id: 3, event: 'stage', data: { step: 'x', n: 'a\nb' } })).toBe(
      'id: 3\nevent: stage\ndata: {"step":"x","n":"a\\nb"}\n\n',
    )
  })

  it('leaves out id and event when not given', () => {
    expect(formatSseEvent({ data: { a: 1 } })).toBe('data: {"a":1}\n\n')
  })

  it('keeps string ids as given, so a client can resume from them', () => {
    const frames = [
      formatSseEvent({ id: 'job-1:12', data: 1 }),
      formatSseEvent({ id: 0, data: 2 }),
    ].join('')
    expect(parseFrames(frames).events.map((event) => event.id)).toEqual(['job-1:12', '0'])
  })

  const badFields: [string, Parameters<typeof formatSseEvent>[0]][] = [
    ['an id with LF', { id: '1\nevent: close', data: {} }],
    ['an id with CR', { id: '1\r', data: {} }],
    ['an id with NUL', { id: '1\u0000', data: {} }],
    ['an event with LF', { event: 'stage\ndata: x', data: {} }],
    ['an event with CR', { event: 'stage\r', data: {} }],
    ['an empty event name', { event: '', data: {} }],
    ['undefined data', { data: undefined }],
    ['function data', { data: () => 1 }],
  ]

  it.each(badFields)('refuses %s', (_, event) => {
    expect(() => formatSseEvent(event)).toThrow(SseFieldError)
  })
})

describe('formatSseComment', () => {
  it('frames a comment that parsers skip', () => {
    const text = formatSseComment('ping') + formatSseEvent({ data: 1 })
    const { events, comments } = parseFrames(text)
    expect(formatSseComment('ping')).toBe(': ping\n\n')
    expect(comments).toEqual(['ping'])
    expect(events.map((event) => event.data)).toEqual(['1'])
  })

  it('refuses a comment with a line break', () => {
    expect(() => formatSseComment('a\ndata: x')).toThrow(SseFieldError)
  })
})

describe('SSE_CLOSE', () => {
  it('is a close event with an empty object', () => {
    const { events } = parseFrames(SSE_CLOSE)
    expect(events).toEqual([{ id: undefined, event: 'close', data: '{}' }])
    expect(SSE_CLOSE).toBe('event: close\ndata: {}\n\n')
  })
})
