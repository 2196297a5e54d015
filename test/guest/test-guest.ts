/**
 * A stand-in VM for the guest tests: the simulated guests' SSH server on loopback, with a
 * test-chosen handler for each command, and a record of the commands and stdin it received.
 */
import { createServer } from 'node:net'

import { utils } from 'ssh2'
import type { ServerChannel } from 'ssh2'

import { hostKeyFingerprint } from '../../src/exec/index.js'
import { generateEd25519Key } from '../../src/guest/ed25519-key.js'
import { startGuestSshServer } from '../../src/sim/guests/guest-ssh-server.js'

export interface TestGuestOptions {
  /** the key that may log in, as an authorized_keys line */
  authorizedKey: string
  username?: string
  /** the host's private key; a fresh one when absent */
  hostKey?: string
  /** listen here (to come back at the same address); a free port when absent */
  port?: number
  /** answers a command other than `true`; the default exits 0 at once */
  onCommand?: (channel: ServerChannel, commandLine: string, stdin: Promise<string>) => void
}

export interface TestGuest {
  readonly host: string
  readonly port: number
  readonly hostKey: string
  readonly fingerprint: string
  /** every command line received, in order */
  readonly commands: string[]
  /** successful logins so far (each is one SSH connection of the client) */
  logins(): number
  close(): Promise<void>
}

export function generateKeyPair(): { privateKey: string; publicKey: string } {
  return generateEd25519Key()
}

export function fingerprintOf(privateKey: string): string {
  const parsed = utils.parseKey(privateKey)
  if (parsed instanceof Error) throw parsed
  return hostKeyFingerprint(parsed.getPublicSSH())
}

export async function startTestGuest(options: TestGuestOptions): Promise<TestGuest> {
  const hostKey = options.hostKey ?? generateKeyPair().privateKey
  const authorized = utils.parseKey(options.authorizedKey)
  if (authorized instanceof Error) throw authorized
  const commands: string[] = []
  let logins = 0
  const server = await startGuestSshServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    hostKey,
    username: options.username ?? 'debian',
    authorizedKeys: [authorized],
    onLogin: () => {
      logins += 1
    },
    onExec: (channel, commandLine) => {
      commands.push(commandLine)
      const stdin = readAll(channel)
      if (commandLine === "'true'" || options.onCommand === undefined) {
        void stdin.then(() => {
          channel.exit(0)
          channel.end()
        })
        return
      }
      options.onCommand(channel, commandLine, stdin)
    },
  })
  return {
    host: server.host,
    port: server.port,
    hostKey,
    fingerprint: fingerprintOf(hostKey),
    commands,
    logins: () => logins,
    close: () => server.close(),
  }
}

function readAll(channel: ServerChannel): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    channel.on('data', (chunk: Buffer) => chunks.push(chunk))
    channel.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'))
    })
  })
}

/** A port nothing listens on right now: bound once by the OS, then released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => {
        resolve(port)
      })
    })
  })
}
