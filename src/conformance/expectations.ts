import { describeError } from '../errors.js'
import { PveError, type PveErrorKind } from '../pve/errors.js'

/** A conformance check found the cluster (or the driver) behaving otherwise than expected. */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure'
}

/** Fails the check with `message` unless `condition` holds. */
export function expectThat(condition: boolean, message: string): void {
  if (!condition) throw new ConformanceFailure(message)
}

/** Fails unless `actual` equals `expected` (as JSON), naming `what`. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value))
  const [a, e] = [show(actual), show(expected)]
  expectThat(a === e, `${what}: expected ${e}, got ${a}`)
}

/**
 * Expects `promise` to be refused by Proxmox with an error of `kind`; returns that error, whose
 * message is Proxmox's own wording.
 */
export async function expectRefusal(
  promise: Promise<unknown>,
  kind: PveErrorKind,
  what: string,
): Promise<PveError> {
  let outcome: unknown
  try {
    await promise
    outcome = undefined
  } catch (error) {
    outcome = error
  }
  if (outcome === undefined)
    throw new ConformanceFailure(`${what}: expected a ${kind} refusal, it succeeded`)
  if (!(outcome instanceof PveError)) {
    throw new ConformanceFailure(
      `${what}: expected a ${kind} refusal, got ${describeError(outcome)}`,
    )
  }
  expectThat(
    outcome.kind === kind,
    `${what}: expected a ${kind} refusal, got ${outcome.kind}: ${outcome.message}`,
  )
  return outcome
}
