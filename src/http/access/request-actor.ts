import type { FastifyRequest } from 'fastify'

const actors = new WeakMap<FastifyRequest, string>()

/** Records which API token a request was made with. */
export function setActor(request: FastifyRequest, name: string): void {
  actors.set(request, name)
}

/** The name of the API token a request was made with, or `anonymous`. */
export function actorOf(request: FastifyRequest): string {
  return actors.get(request) ?? 'anonymous'
}
