import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'

import type { ToolIo } from '../tool-io.js'
import { uriEscape } from '../uri-escape.js'

/**
 * qm's `--sshkeys <path>` (pve.md §4.3): reads the file, URL-encodes it for the API.
 * `/dev/stdin` is the stdin the client forwarded. Undefined when the file cannot be read, after
 * printing qm's message.
 */
export async function readSshKeysFile(io: ToolIo, path: string): Promise<string | undefined> {
  if (path === '/dev/stdin') return uriEscape(io.stdin.toString('utf8'))
  try {
    return uriEscape(await readFile(resolve(io.cwd, path), 'utf8'))
  } catch {
    io.stderr(`can't open '${path}' - No such file or directory`)
    return undefined
  }
}
