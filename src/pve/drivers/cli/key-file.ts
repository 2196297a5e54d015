import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { PveError } from '../../errors.js'
import type { CliDriverLogger, ToolRunner } from './run-tool.js'

/**
 * Runs `work` with the ssh keys in a file that qm on `node` can open: `qm --sshkeys` takes a path
 * and reads it with Perl's `open` (pve.md §4.3). `/dev/stdin` is no such path: Node's `spawn`
 * gives qm a Unix socket on fd 0, and opening a socket through `/proc/self/fd/0` fails with ENXIO
 * (pve.md §10.1). So the keys go into a 0600 file in a fresh 0700 directory on the node where
 * qm runs, removed again whatever qm did.
 *
 * - On the main node (where the service runs) the file is written with Node's own fs calls.
 * - On another node it is written through that node's executor: one fixed `sh -c` script run
 *   over SSH (no data in it; the keys travel on its stdin, which sshd gives as a pipe) makes the
 *   directory with `mktemp -d` under `umask 077` and prints its path; `rm -rf` removes it after.
 */
export interface KeyFileOptions {
  mainNode: string
  run: ToolRunner
  log: CliDriverLogger
  /** Where local key directories are made (created 0700 if missing); default the OS temp
   * directory. */
  localDir?: string
}

export type WithKeyFile = <T>(
  node: string,
  keys: string,
  work: (path: string) => Promise<T>,
) => Promise<T>

/** The remote half: fixed text, every value it handles comes on stdin or from mktemp. */
const remoteWriteScript =
  'umask 077 && dir=$(mktemp -d "${TMPDIR:-/tmp}/pve-qemu-sshkeys.XXXXXXXXXX") && ' +
  '{ cat > "$dir/sshkeys" || { rm -rf "$dir"; exit 1; }; } && printf "%s\\n" "$dir"'

/** What `mktemp -d` may print: an absolute path of safe characters, nothing else. */
const tempDirPattern = /^\/[A-Za-z0-9._/-]+$/

export function createKeyFiles(options: KeyFileOptions): WithKeyFile {
  return async (node, keys, work) =>
    node === options.mainNode
      ? await withLocalKeyFile(options.localDir ?? tmpdir(), keys, work)
      : await withRemoteKeyFile(options, node, keys, work)
}

async function withLocalKeyFile<T>(
  base: string,
  keys: string,
  work: (path: string) => Promise<T>,
): Promise<T> {
  await mkdir(base, { recursive: true, mode: 0o700 })
  // mkdtemp makes the directory 0700; the file is created 0600 and must not exist yet
  const dir = await mkdtemp(join(base, 'pve-qemu-sshkeys-'))
  try {
    const path = join(dir, 'sshkeys')
    await writeFile(path, keys, { mode: 0o600, flag: 'wx' })
    return await work(path)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function withRemoteKeyFile<T>(
  options: KeyFileOptions,
  node: string,
  keys: string,
  work: (path: string) => Promise<T>,
): Promise<T> {
  const made = await options.run(node, ['sh', '-c', remoteWriteScript], { stdin: keys })
  const dir = made.stdout.trim()
  if (!tempDirPattern.test(dir)) {
    throw new PveError('failed', `could not make a private directory for the ssh keys on ${node}`)
  }
  try {
    return await work(`${dir}/sshkeys`)
  } finally {
    try {
      await options.run(node, ['rm', '-rf', '--', dir])
    } catch (error) {
      // the caller's own outcome matters more; the directory holds public keys only, 0700
      options.log.debug(
        { node, dir, error: error instanceof Error ? error.message : String(error) },
        'could not remove the ssh key directory',
      )
    }
  }
}
