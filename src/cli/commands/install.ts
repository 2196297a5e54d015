import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { InstallBody } from '../../http/schemas/install.js'
import { booleanFlag, stringFlag, wholeNumber } from '../args.js'
import { CliError, exitCodes, usageError } from '../errors.js'
import { printInstallSummary } from '../progress/summary.js'
import type { Command, CommandContext } from './command.js'
import { printPlan } from './print-plan.js'
import { runStreamed } from './watch-stream.js'

const usage =
  'pve-qemu install [os] [version] [--os debian --version 12] [--name N] [--id VMID] [--node N] [--cpu N] [--ram MB] [--disk 20G] [--user U] [--passwd P] [--network NAME] [--ip ADDRESS] [--pubkey KEY | --pubkey-file FILE | --no-key] [--dry-run]'

/** The user's own public keys, tried in this order when no key or password is given. */
const defaultKeyFiles = ['.ssh/id_ed25519.pub', '.ssh/id_rsa.pub']

/** `install`: one flag per field of `POST /api/vm/install`, then the live pipeline. */
export const installCommand: Command = {
  name: 'install',
  usage,
  summary: 'create a VM and watch every stage until it answers SSH',
  details: [
    'os and version may also be given as the first two arguments: pve-qemu install debian 12',
    '`pve-qemu os` lists what is available. Without --passwd or --pubkey your own key',
    '(~/.ssh/id_ed25519.pub, else ~/.ssh/id_rsa.pub) is used. With --no-key, or when you have',
    'none, a password is generated and shown at the end; if you miss it (Ctrl-C, a closed',
    'terminal), `pve-qemu credentials <job>` gives it once within 24 h.',
    '--network picks a network of the service (GET /api/networks; default the first), --ip an address of its pool.',
    '--json prints one event per line, then the result: {vmid, ip, node, user, ssh} (on a named network also network and addresses).',
    '--dry-run prints the plan (VMID, IP, image, template, stages, commands, estimate) and changes nothing.',
  ],
  options: {
    os: { type: 'string' },
    version: { type: 'string' },
    name: { type: 'string' },
    id: { type: 'string' },
    node: { type: 'string' },
    cpu: { type: 'string' },
    ram: { type: 'string' },
    disk: { type: 'string' },
    user: { type: 'string' },
    passwd: { type: 'string' },
    pubkey: { type: 'string' },
    'pubkey-file': { type: 'string' },
    'no-key': { type: 'boolean' },
    network: { type: 'string' },
    ip: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  async run(context) {
    const body = await installBody(context)
    if (booleanFlag(context.values, 'dry-run')) {
      const plan = await context
        .client()
        .getJson('/api/vm/install', { method: 'POST', body: { ...body, dry_run: true } })
      if (context.json) context.out.json(plan)
      else printPlan(plan, context.out)
      return exitCodes.ok
    }
    const outcome = await runStreamed(
      context,
      '/api/vm/install',
      { method: 'POST', body },
      {
        detachHints: (jobId) =>
          body.passwd === undefined && body.pubkey === undefined
            ? [
                `its generated password is kept for you: pve-qemu credentials ${jobId} (once, within 24 h)`,
              ]
            : [],
      },
    )
    const { board } = outcome
    if (board !== undefined && outcome.exitCode === exitCodes.ok) {
      // the last line a program reads: where the VM is and how to log in
      if (context.json) {
        if (board.facts.result !== undefined) context.out.json(board.facts.result)
      } else printInstallSummary(board, context.out)
    }
    return outcome.exitCode
  },
}

async function installBody(context: CommandContext): Promise<InstallBody> {
  const { values, positionals } = context
  const os = stringFlag(values, 'os') ?? positionals[0]
  const version = stringFlag(values, 'version') ?? positionals[1]
  if (positionals.length > 2)
    throw usageError(`unexpected argument "${positionals[2] ?? ''}"; usage: ${usage}`)
  if (os === undefined)
    throw usageError(`--os is required (debian, ubuntu or rockylinux); usage: ${usage}`)
  if (version === undefined)
    throw usageError(`--version is required (e.g. 12, 22.04, 9); usage: ${usage}`)
  if (!isOsName(os)) throw usageError(`--os: "${os}" is not one of debian, ubuntu, rockylinux`)
  const pubkeyFile = stringFlag(values, 'pubkey-file')
  let pubkey = stringFlag(values, 'pubkey')
  const noKey = booleanFlag(values, 'no-key')
  if (noKey && (pubkey !== undefined || pubkeyFile !== undefined))
    throw usageError('--no-key cannot go with --pubkey or --pubkey-file')
  if (pubkeyFile !== undefined) {
    if (pubkey !== undefined) throw usageError('give --pubkey or --pubkey-file, not both')
    pubkey = await readKey(pubkeyFile)
  }
  if (pubkey === undefined && !noKey && stringFlag(values, 'passwd') === undefined) {
    pubkey = await ownKey(context)
  }
  const optional = {
    name: stringFlag(values, 'name'),
    id: wholeNumber(stringFlag(values, 'id'), '--id'),
    node: stringFlag(values, 'node'),
    cpu: wholeNumber(stringFlag(values, 'cpu'), '--cpu'),
    ram: wholeNumber(stringFlag(values, 'ram'), '--ram'),
    disk: stringFlag(values, 'disk'),
    user: stringFlag(values, 'user'),
    passwd: stringFlag(values, 'passwd'),
    pubkey,
    network: stringFlag(values, 'network'),
    ip: stringFlag(values, 'ip'),
  }
  const body: InstallBody = { os, version }
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(body, { [key]: value })
  }
  return body
}

function isOsName(value: string): value is InstallBody['os'] {
  return value === 'debian' || value === 'ubuntu' || value === 'rockylinux'
}

async function readKey(path: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8')
    const line = text.split('\n').find((entry) => entry.trim() !== '' && !entry.startsWith('#'))
    if (line === undefined) throw usageError(`--pubkey-file: ${path} holds no key`)
    return line.trim()
  } catch (error) {
    if (error instanceof CliError) throw error
    throw usageError(
      `--pubkey-file: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`,
    )
  }
}

/**
 * The user's own public key (`~/.ssh/id_ed25519.pub`, else `id_rsa.pub`), so most installs need
 * no password at all; says which one it took. Undefined when there is none.
 */
async function ownKey(context: CommandContext): Promise<string | undefined> {
  const { home } = context
  if (home === undefined) return undefined
  for (const file of defaultKeyFiles) {
    const path = join(home, file)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch {
      continue
    }
    const line = text.split('\n').find((entry) => entry.trim() !== '' && !entry.startsWith('#'))
    if (line === undefined) continue
    if (!context.json)
      context.out.note(`using your key ~/${file} (--no-key for a generated password)`)
    return line.trim()
  }
  return undefined
}
