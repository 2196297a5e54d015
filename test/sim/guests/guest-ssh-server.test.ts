import { connect } from 'node:net'
import type { Socket } from 'node:net'

import { utils } from 'ssh2'
import { afterEach, describe, expect, it } from 'vitest'

import { connectGuest } from '../../../src/guest/connect-guest.js'
import { isGuestError } from '../../../src/guest/errors.js'
import { createMemoryHostKeyStore } from '../../../src/guest/host-keys.js'
import { openTcpConnection } from '../../../src/guest/open-tcp-connection.js'
import { startGuestSshServer } from '../../../src/sim/guests/guest-ssh-server.js'
import type { GuestSshServer } from '../../../src/sim/guests/guest-ssh-server.js'
import { generateKeyPair } from '../../guest/test-guest.js'

const serviceKey = generateKeyPair()
const servers: GuestSshServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function startServer(): Promise<GuestSshServer> {
  const authorized = utils.parseKey(serviceKey.publicKey)
  if (authorized instanceof Error) throw authorized
  const server = await startGuestSshServer({
    host: '127.0.0.1',
    port: 0,
    hostKey: generateKeyPair().privateKey,
    username: 'debian',
    authorizedKeys: [authorized],
    onExec: (channel) => {
      channel.exit(0)
      channel.end()
    },
  })
  servers.push(server)
  return server
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()))
}

describe('guest SSH server', () => {
  it('cuts a connection still in its handshake when the VM goes away', async () => {
    const server = await startServer()
    // A client that connected but has not said which SSH version it speaks yet.
    const socket = connect({ host: server.host, port: server.port })
    socket.on('error', () => undefined)
    await new Promise<void>((resolve) => socket.once('data', () => resolve()))
    const gone = closed(socket)

    await server.close()

    await gone
    expect(socket.destroyed).toBe(true)
  })

  it('breaks logged-in sessions and refuses new connections as soon as it is closed', async () => {
    const server = await startServer()
    const target = { host: server.host, port: server.port }
    const session = await connectGuest({
      ...target,
      username: 'debian',
      privateKey: serviceKey.privateKey,
      hostKeys: createMemoryHostKeyStore(),
      socket: await openTcpConnection({ ...target, timeoutMs: 1000 }),
      handshakeTimeoutMs: 5000,
    })
    const sessionEnded = new Promise<void>((resolve) => session.once('close', () => resolve()))

    const closing = server.close()
    const refused = await openTcpConnection({ ...target, timeoutMs: 1000 }).catch(
      (error: unknown) => error,
    )

    expect(isGuestError(refused, 'GUEST_SSH_FAILED')).toBe(true)
    expect(String(refused)).toContain('connection refused')
    await sessionEnded
    await closing
  })
})
