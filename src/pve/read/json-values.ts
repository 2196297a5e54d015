/**
 * Proxmox's JSON types are whatever Perl held (pve.md §1.2): `"4096"` and `4096` both occur for
 * one field across versions. These readers accept either and say which field was malformed.
 */
import { PveError } from '../errors.js'

export type JsonObject = Record<string, unknown>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function asObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw malformed(what, value)
  return value
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(what, value)
  return value
}

/** A number given as a JSON number or numeric string; undefined when absent. */
export function optionalNumber(object: JsonObject, key: string): number | undefined {
  const value = object[key]
  if (value === undefined || value === null || value === '') return undefined
  const number = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(number)) throw malformed(key, value)
  return number
}

export function requiredNumber(object: JsonObject, key: string): number {
  const value = optionalNumber(object, key)
  if (value === undefined) throw malformed(key, object[key])
  return value
}

export function optionalString(object: JsonObject, key: string): string | undefined {
  const value = object[key]
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw malformed(key, value)
}

export function requiredString(object: JsonObject, key: string): string {
  const value = optionalString(object, key)
  if (value === undefined) throw malformed(key, object[key])
  return value
}

function malformed(what: string, value: unknown): PveError {
  const shown = value === undefined ? 'undefined' : JSON.stringify(value).slice(0, 80)
  return new PveError('failed', `unexpected answer from Proxmox: ${what} is ${shown}`)
}
