import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tokenErrorCodes } from '../../../src/http/access/token-hook.js'
import { statusByCode, statusForError } from '../../../src/http/errors/status-for-error.js'
import { PveError } from '../../../src/pve/errors.js'
import { AppError } from '../../../src/errors.js'

const src = fileURLToPath(new URL('../../../src', import.meta.url))

function filesUnder(dir: string, accept: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return filesUnder(path, accept)
    return accept(entry.name) ? [path] : []
  })
}

/** Every `…ErrorCodes` catalogue exported by a `src/**\/errors.ts`, plus the token hook's. */
async function catalogues(): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>([['token-hook', tokenErrorCodes]])
  for (const file of filesUnder(src, (name) => name === 'errors.ts')) {
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>
    for (const [name, value] of Object.entries(module)) {
      if (!name.endsWith('ErrorCodes') || typeof value !== 'object' || value === null) continue
      found.set(`${relative(src, file)} ${name}`, Object.fromEntries(Object.entries(value)))
    }
  }
  return found
}

describe('the error code → status map', () => {
  it('has a status for every code of every catalogue', async () => {
    const found = await catalogues()
    expect(found.size).toBeGreaterThanOrEqual(12)
    const missing: string[] = []
    for (const [where, codes] of found) {
      for (const code of Object.keys(codes)) {
        if (!Object.hasOwn(statusByCode, code)) missing.push(`${code} (${where})`)
      }
    }
    expect(missing).toEqual([])
  })

  it('answers a Proxmox refusal by its code and an unknown code with 500', () => {
    expect(statusForError(new PveError('vm_not_found', 'no such VM'))).toBe(404)
    expect(statusForError(new PveError('lock_timeout', "can't lock file"))).toBe(503)
    expect(statusForError(new AppError('NO_SUCH_CODE', 'x'))).toBe(500)
    expect(statusForError(Object.assign(new Error('too large'), { statusCode: 413 }))).toBe(413)
  })

  it('is the only place a status is chosen: no route or hook passes one', () => {
    const inline: string[] = []
    for (const file of filesUnder(join(src, 'http'), (name) => name.endsWith('.ts'))) {
      const text = readFileSync(file, 'utf8')
      if (/sendError\(\s*request,\s*reply,\s*\d{3}/.test(text)) inline.push(relative(src, file))
      if (/reply\.code\(\s*[45]\d\d\s*\)/.test(text)) inline.push(relative(src, file))
    }
    expect(inline).toEqual([])
  })
})
