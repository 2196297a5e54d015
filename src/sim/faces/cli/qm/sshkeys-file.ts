import { open } from 'node:fs/promises'
import { resolve } from 'node:path'

import type { ToolIo } from '../tool-io.js'
import { uriEscape } from '../uri-escape.js'

/** Paths that open the tool's own fd 0. */
const stdinPaths = new Set(['/dev/stdin', '/proc/self/fd/0', '/dev/fd/0'])

/** `safe_read_from`'s default limit when `file_get_contents` is given none. */
const maxBytes = 32768

/** strerror(3) texts Perl's `$!` prints for the errors a file open or read can meet. */
const strerror: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ENXIO: 'No such device or address',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EIO: 'Input/output error',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
}

class PerlDie extends Error {}

/**
 * qm's `--sshkeys <path>` (pve.md §4.3, §10.1): `file_get_contents` opens the path with Perl's
 * `open`, reads it (at most 32 KiB) and qm URL-encodes it for the API. Undefined after printing
 * qm's message when that fails, exactly where real Perl fails:
 * - `/dev/stdin` (or `/proc/self/fd/0`) when fd 0 is a socket, as Node's spawn makes it:
 *   `can't open '/dev/stdin' - No such device or address` (ENXIO);
 * - a terminal on fd 0 opens fine and is read until end-of-file (Ctrl-D), so an unattended run
 *   waits for ever; a run in the terminal's background gets EIO on the read;
 * - a missing file: `can't open '<path>' - No such file or directory`.
 */
export async function readSshKeysFile(io: ToolIo, path: string): Promise<string | undefined> {
  try {
    const data = stdinPaths.has(path) ? await readStdin(io, path) : await readPath(io, path)
    if (data.length > maxBytes) throw new PerlDie(`file '${path}' too long - aborting`)
    return uriEscape(data.toString('utf8'))
  } catch (error) {
    if (!(error instanceof PerlDie)) throw error
    io.stderr(error.message)
    return undefined
  }
}

async function readStdin(io: ToolIo, path: string): Promise<Buffer> {
  switch (io.stdinKind) {
    case 'socket':
      throw cannotOpen(path, 'ENXIO')
    case 'closed':
      throw cannotOpen(path, 'ENOENT')
    case 'tty':
      try {
        return await io.readTerminal()
      } catch (error) {
        throw cannotRead(path, error instanceof Error ? error.message : 'EIO')
      }
    case 'pipe':
    case 'file':
    case 'device':
    case 'other':
    case undefined:
      break
  }
  // a pipe, a redirected file or /dev/null open fine: what the client read of it
  return io.stdin
}

async function readPath(io: ToolIo, path: string): Promise<Buffer> {
  let handle
  try {
    handle = await open(resolve(io.cwd, path), 'r')
  } catch (error) {
    throw cannotOpen(path, errnoOf(error))
  }
  try {
    return await handle.readFile()
  } catch (error) {
    throw cannotRead(path, errnoOf(error))
  } finally {
    await handle.close()
  }
}

function cannotOpen(path: string, code: string): PerlDie {
  return new PerlDie(`can't open '${path}' - ${strerror[code] ?? code}`)
}

function cannotRead(path: string, code: string): PerlDie {
  return new PerlDie(`unable to read file '${path}' - ${strerror[code] ?? code}`)
}

function errnoOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code
    if (typeof code === 'string') return code
  }
  return 'EIO'
}
