import { timingSafeEqual } from 'node:crypto'

import { Server } from 'ssh2'
import type { Connection, ParsedKey, ServerChannel } from 'ssh2'

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
}

export interface GuestSshServer {
  readonly host: string
  readonly port: number
  /** stops listening and cuts every connection, as powering the VM off would */
  close(): Promise<void>
}

/**
 * An SSH server standing in for one VM's sshd: public key login only, for one user and the
 * keys cloud-init gave it; `exec` requests go to `onExec`, shells and subsystems are refused.
 */
export async function startGuestSshServer(options: GuestSshServerOptions): Promise<GuestSshServer> {
  const connections = new Set<Connection>()
  const server = new Server({ hostKeys: [options.hostKey] }, (connection) => {
    connections.add(connection)
    connection.on('close', () => connections.delete(connection))
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
      connection.on('session', (acceptSession) => {
        const session = acceptSession()
        session.on('exec', (accept, _reject, info) => {
          options.onExec(accept(), info.command)
        })
      })
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', () => undefined)
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port

  return {
    host: options.host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        for (const connection of connections) connection.end()
      }),
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
