import { expect } from 'vitest'
import { get, type TestApp } from '../../helpers/build-test-app.js'
import type { SseRead } from '../../helpers/sse-client.js'

/** An entry of `GET /api/templates`. */
export interface ListedTemplate {
  vmid: number
  os: string
  version: string
  node: string
  storage: string
  shared: boolean
  image_checksum: string
  clones: number[]
  current: boolean
}

/** `GET /api/templates` of a running service. */
export async function listTemplates(app: TestApp): Promise<ListedTemplate[]> {
  const answer = await get(`${app.url}/api/templates`)
  expect(answer.status).toBe(200)
  return (JSON.parse(answer.text) as { templates: ListedTemplate[] }).templates
}

/** The install ended well: no error event, and the last one is a success. */
export function succeeded(stream: SseRead): void {
  expect(stream.steps.filter((step) => step.status === 'error')).toEqual([])
  expect(stream.steps.at(-1)?.status).toBe('success')
}

/** The messages of one stage of an install's stream. */
export function messagesOf(stream: SseRead, step: string): string[] {
  return stream.steps.filter((event) => event.step === step).map((event) => event.message)
}
