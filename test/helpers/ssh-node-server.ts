/**
 * A stand-in for a node's sshd, on loopback: accepts one client public key and runs every exec
 * request the way OpenSSH does, with `/bin/sh -c <command line>`. Tests use it to prove what the
 * SSH executor's quoting does to a real shell, and to reach the fake CLI "on another node".
 */
import { spawn } from 'node:child_process'
import { timingSafeEqual } from 'node:crypto'

import { Server, utils } from 'ssh2'

import { generateEd25519Key } from '../../src/guest/ed25519-key.js'
import type { Connection, ParsedKey, ServerChannel, Session } from 'ssh2'

import { hostKeyFingerprint } from '../../src/exec/host-key-fingerprint.js'

export interface SshNodeServerOptions {
  /** The only client public key accepted, as an OpenSSH line (`ssh-ed25519 AAAA... comment`). */
  authorizedKey: string
  /** Variables set for every command, on top of this process's environment. */
  env?: Record<string, string>
  /** The host's private key; a fresh ed25519 key when absent. */
  hostKey?: string
  /** Listen on this port (to restart a node at the same address); any free port when absent. */
  port?: number
}

export interface SshNodeServer {
  readonly host: string
  readonly port: number
  readonly hostKey: string
  readonly hostKeyFingerprint: string
  /** Every command line received, in order. */
  readonly commands: string[]
  /** How many client connections were authenticated so far. */
  readonly logins: number
  /** The most commands that ever ran at once. */
  readonly peakSessions: number
  /** Cuts every open connection, as a node reboot or a network blip would. */
  dropConnections(): void
  /**
   * From now on, exec requests get no answer (as from a node too busy to fork) until the
   * returned function is called; then the held ones run as usual.
   */
  holdExecs(): () => void
  close(): Promise<void>
}

/** An ed25519 key pair in OpenSSH format, for a test's client or host. */
export function generateSshKeyPair(): { privateKey: string; publicKey: string } {
  // ssh2's own generator drops leading zero bytes of 1 key in 256 (see src/guest/ed25519-key.ts)
  return generateEd25519Key()
}

/** Starts the server on 127.0.0.1 and resolves once it listens. */
export async function startSshNodeServer(options: SshNodeServerOptions): Promise<SshNodeServer> {
  const hostKey = options.hostKey ?? generateSshKeyPair().privateKey
  const allowed = parseKeyOrThrow(options.authorizedKey)
  const clients = new Set<Connection>()
  const commands: string[] = []
  let logins = 0
  let running = 0
  let peakSessions = 0
  let held: (() => void)[] | undefined

  const server = new Server({ hostKeys: [hostKey] }, (client: Connection) => {
    clients.add(client)
    client.on('close', () => clients.delete(client))
    client.on('error', () => undefined)
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || !sameKey(allowed, ctx.key)) {
        ctx.reject(['publickey'])
        return
      }
      if (ctx.signature === undefined || ctx.blob === undefined) {
        ctx.accept()
        return
      }
      if (allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) ctx.accept()
      else ctx.reject(['publickey'])
    })
    client.on('ready', () => {
      logins += 1
      client.on('session', (acceptSession) => {
        const session = acceptSession()
        session.on('exec', (accept, _reject, info) => {
          commands.push(info.command)
          const run = (): void => {
            running++
            peakSessions = Math.max(peakSessions, running)
            runCommand(accept(), info.command, options.env ?? {}, session, () => {
              running--
            })
          }
          if (held === undefined) run()
          else held.push(run)
        })
      })
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('ssh server has no port')

  return {
    host: '127.0.0.1',
    port: address.port,
    hostKey,
    hostKeyFingerprint: hostKeyFingerprint(parseKeyOrThrow(hostKey).getPublicSSH()),
    commands,
    get logins() {
      return logins
    },
    get peakSessions() {
      return peakSessions
    },
    dropConnections() {
      for (const client of clients) client.end()
    },
    holdExecs() {
      const queue: (() => void)[] = held ?? []
      held = queue
      return () => {
        if (held === queue) held = undefined
        for (const run of queue.splice(0)) run()
      }
    },
    close() {
      for (const client of clients) client.end()
      return new Promise<void>((resolve) =>
        server.close(() => {
          resolve()
        }),
      )
    },
  }
}

const signals: Record<string, NodeJS.Signals> = {
  HUP: 'SIGHUP',
  INT: 'SIGINT',
  KILL: 'SIGKILL',
  TERM: 'SIGTERM',
}

function runCommand(
  channel: ServerChannel,
  command: string,
  env: Record<string, string>,
  session: Session,
  onEnd: () => void,
): void {
  const child = spawn('/bin/sh', ['-c', command], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  session.on('signal', (accept, _reject, info) => {
    replyIfAsked(accept)
    const signal = signals[info.name]
    if (signal !== undefined) child.kill(signal)
  })
  child.stdout.pipe(channel, { end: false })
  child.stderr.pipe(channel.stderr, { end: false })
  channel.on('data', (chunk: Buffer) => child.stdin.write(chunk))
  channel.on('end', () => child.stdin.end())
  child.stdin.on('error', () => undefined)
  channel.on('error', () => undefined)
  child.on('error', () => {
    onEnd()
    channel.stderr.write(`sh: cannot start\n`)
    channel.exit(127)
    channel.end()
  })
  child.on('close', (code, signal) => {
    onEnd()
    if (code !== null) channel.exit(code)
    else channel.exit((signal ?? 'KILL').replace(/^SIG/, ''), false, '')
    channel.end()
  })
}

function parseKeyOrThrow(text: string): ParsedKey {
  const parsed = utils.parseKey(text)
  if (parsed instanceof Error) throw parsed
  return parsed
}

function sameKey(allowed: ParsedKey, offered: { algo: string; data: Buffer }): boolean {
  const expected = allowed.getPublicSSH()
  return (
    offered.algo === allowed.type &&
    expected.length === offered.data.length &&
    timingSafeEqual(expected, offered.data)
  )
}

/** ssh2 passes no accept function when the client wants no reply; its types say otherwise. */
function replyIfAsked(accept: (() => void) | undefined): void {
  accept?.()
}
