import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'

export interface WriteFileAtomicallyOptions {
  /** permission bits of the new file (the umask can only narrow them) */
  mode: number
  /** only create: leave an existing file alone and return false */
  exclusive?: boolean
}

/**
 * Writes `data` to `path` so that readers see either the old file or the whole new one, never
 * a torn write: the bytes go to a temporary file beside it, which is flushed and then renamed
 * (or, with `exclusive`, hard-linked, which fails when another writer got there first).
 * Returns false only when `exclusive` is set and `path` already exists.
 */
export function writeFileAtomically(
  path: string,
  data: string,
  options: WriteFileAtomicallyOptions,
): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const fd = openSync(temporary, 'wx', options.mode)
  try {
    try {
      writeSync(fd, data)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    if (options.exclusive !== true) {
      renameSync(temporary, path)
      return true
    }
    try {
      linkSync(temporary, path)
      return true
    } catch (error) {
      if (isErrnoException(error) && error.code === 'EEXIST') return false
      throw error
    }
  } finally {
    rmSync(temporary, { force: true })
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error
}
