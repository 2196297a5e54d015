import { timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:net'
import type { Socket } from 'node:net'

import ssh2 from 'ssh2'
import type { ParsedKey, ServerChannel } from 'ssh2'

// ssh2 is CommonJS: Node's ESM loader sees only some of its exports by name
const { Server } = ssh2

export interface GuestSshServerOptions {
  /** a loopback address; checked by the caller */
  host: string
  /** 0 picks a free port (tests) */
  port: number
  /** the VM's private host key, OpenSSH text */
  hostKey: string
  /** the only user that may log in: the VM's cloud-init user */
  username: string
  /** the only keys that may log in: the VM's cloud-init keys */
  authorizedKeys: readonly ParsedKey[]
  /** answers one exec request; the channel is the caller's to end */
  onExec: (channel: ServerChannel, commandLine: string) => void
  /** told of each successful login (tests count the service's SSH connections) */
  onLogin?: () => void
}

export interface GuestSshServer {
  readonly host: string
  readonly port: number
  /**
   * stops listening and cuts every connection at once, as powering the VM off would (before
   * it returns: the port refuses and sessions break right away); resolves once all are gone
   */
  close(): Promise<void>
}

/**
 * An SSH server standing in for one VM's sshd: public key login only, for one user and the
 * keys cloud-init gave it; `exec` requests go to `onExec`, shells and subsystems are refused.
 */
export async function startGuestSshServer(options: GuestSshServerOptions): Promise<GuestSshServer> {
  const ssh = new Server({ hostKeys: [options.hostKey] }, (connection) => {
    connection.on('error', () => undefined)
    connection.on('authentication', (context) => {
      if (context.method !== 'publickey' || context.username !== options.username) {
        context.reject(['publickey'])
        return
      }
      const offered = context.key
      const allowed = options.authorizedKeys.find((candidate) => sameKey(candidate, offered))
      if (allowed === undefined) {
        context.reject(['publickey'])
        return
      }
      // Without a signature the client only asks whether the key would do.
      const { blob, signature } = context
      if (signature === undefined || blob === undefined) {
        context.accept()
        return
      }
      // ssh2 returns an Error (truthy) rather than false for some bad signatures.
      const verified: unknown = allowed.verify(blob, signature, context.hashAlgo)
      if (verified === true) context.accept()
      else context.reject(['publickey'])
    })
    connection.on('ready', () => {
      options.onLogin?.()
      connection.on('session', (acceptSession) => {
        const session = acceptSession()
        session.on('exec', (accept, _reject, info) => {
          options.onExec(accept(), info.command)
        })
      })
    })
  })
  ssh.on('error', () => undefined)

  // The TCP sockets are tracked here, not ssh2's connections: ssh2 reports a connection only
  // once the client's version line arrived, so one still in its handshake would outlive the VM.
  const sockets = new Set<Socket>()
  const listener = createServer((socket) => {
    sockets.add(socket)
    // ssh2 writes each packet on its own (data, exit-status, EOF, close), where OpenSSH's sshd
    // flushes what one loop produced in one write: without this, Nagle's algorithm holds the
    // later small packets for the client's delayed ACK (~40 ms), a wait no real VM imposes
    socket.setNoDelay(true)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    ssh.injectSocket(socket)
  })
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject)
    listener.listen(options.port, options.host, () => {
      listener.off('error', reject)
      resolve()
    })
  })
  listener.on('error', () => undefined)
  const address = listener.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port

  let closing: Promise<void> | undefined
  return {
    host: options.host,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        listener.close(() => {
          resolve()
        })
        // A VM powering off says no goodbye: its connections just break, here and now.
        for (const socket of sockets) socket.destroy()
      })
      return closing
    },
  }
}

function sameKey(allowed: ParsedKey, offered: { algo: string; data: Buffer }): boolean {
  const expected = allowed.getPublicSSH()
  return (
    offered.algo === allowed.type &&
    expected.length === offered.data.length &&
    timingSafeEqual(expected, offered.data)
  )
}
