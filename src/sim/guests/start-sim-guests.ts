import type { Logger } from 'pino'

import { hostKeyFingerprint } from '../../exec/index.js'
import { generateEd25519Key } from '../../guest/ed25519-key.js'

import { isLoopbackIpv6 } from '../network/addresses.js'
import { authorizedKeysOf, isLoopbackAddress, staticAddressOf } from './guest-config.js'
import { runGuestCommand } from './run-guest-command.js'
import { startGuestSshServer } from './guest-ssh-server.js'
import type { GuestSshServer } from './guest-ssh-server.js'
import { createSimGuestFaults } from './sim-guest-faults.js'
import type { SimGuestFaults } from './sim-guest-faults.js'

/** A VM as the simulator reports it when it starts or stops. */
export interface SimVmEvent {
  vmid: number
  node: string
  /** the VM's config keys, as Proxmox names them (`ciuser`, `sshkeys`, `ipconfig0`, …) */
  config: Record<string, string>
  /** net0's addresses as the simulator gave them (static, DHCP lease, IPv6) */
  addresses?: { ipv4?: string; ipv6: readonly string[] }
}

type VmEventName = 'vm-started' | 'vm-stopped'

/** The part of the simulator the guests listen to. A reboot is reported as stopped, started. */
export interface SimVmEventSource {
  on(event: VmEventName, listener: (vm: SimVmEvent) => void): unknown
  off?(event: VmEventName, listener: (vm: SimVmEvent) => void): unknown
  /** told when a guest's OS installed qemu-guest-agent (its boot disk has it from now on) */
  installGuestAgent(vmid: number): unknown
}

export interface StartSimGuestsOptions {
  sim: SimVmEventSource
  /** the port every guest's SSH listens on (22 for a demo, e.g. 2222 in tests) */
  port: number
  /** the address of a VM whose `ipconfig0` has no static IP; must be loopback, e.g. 127.0.0.<vmid> */
  hostFor: (vmid: number) => string
  /** how long a started VM takes until its SSH answers */
  bootDelayMs: (vmid: number) => number
  log: Pick<Logger, 'debug' | 'info' | 'warn'>
  /** pause between the lines an emulated init script prints (default 50) */
  scriptStepDelayMs?: number
  /**
   * VMs already running when the guests start (the simulator reports starts, not what was
   * running before, e.g. demo VMs or a reloaded state); they boot without delay
   */
  alreadyRunning?: readonly SimVmEvent[]
}

export interface SimGuests {
  /** VMs whose SSH is answering now, by VMID */
  running(): number[]
  /** the host key fingerprint of a VM's current life, once it has booted */
  hostKeyFingerprint(vmid: number): string | undefined
  /** the crypt hash a user's password was set to inside the VM (by its init script), if any */
  passwordHash(vmid: number, user: string): string | undefined
  /** SSH logins into a VM, one count per boot in order (tests count the service's connections) */
  logins(vmid: number): number[]
  readonly faults: SimGuestFaults
  /** stops listening to the simulator and takes every guest down */
  close(): Promise<void>
}

interface HostKey {
  /** OpenSSH text */
  privateKey: string
  fingerprint: string
}

interface Guest {
  vmid: number
  /** bumped on every stop, so a boot the stop overtook does nothing */
  generation: number
  /** the generation a boot was already scheduled for (a start reported twice boots once) */
  scheduled?: number
  timer?: NodeJS.Timeout
  server?: GuestSshServer
  /** the same sshd on the guest's loopback IPv6 address (`::1`, `::ffff:127.x.y.z`), if any */
  server6?: GuestSshServer
  /** of the host key of the VM's current life */
  fingerprint?: string
  /**
   * the guest's boots and shutdowns, one after the other: a boot opens its port only once the
   * previous life's server is closed, whatever order their timers and listens would finish in
   */
  work: Promise<void>
  /** `/run/reboot-required` of the current boot (a tmpfs: every boot starts without it) */
  rebootRequired: boolean
  /** VM lives (vmgenid) that booted already: cloud-init upgrades packages on the first only */
  bootedLives: Set<string>
}

/**
 * Simulated guests: when the simulator starts a VM, after its boot delay an SSH server answers
 * on the VM's address (loopback only) and `port`, with a host key made at its first boot and
 * kept across reboots; it lets in only the cloud-init user with a cloud-init key, and emulates
 * the init script without running anything here. When the VM stops, its connections break and
 * its port refuses at once, before the simulator goes on (a reboot may start it again in the
 * same tick).
 */
export function startSimGuests(options: StartSimGuestsOptions): SimGuests {
  const { sim, log } = options
  const guests = new Map<number, Guest>()
  // One host key per VM life: a reinstalled VM (new vmgenid/smbios1 uuid) gets a new one.
  const hostKeys = new Map<string, HostKey>()
  const faults = createSimGuestFaults()
  /** `/etc/shadow` of each VM, as far as scripts changed it: vmid → user → crypt hash */
  const shadows = new Map<number, Record<string, string>>()
  /** logins per boot, by VMID */
  const logins = new Map<number, number[]>()
  let closed = false

  const guestOf = (vmid: number): Guest => {
    let guest = guests.get(vmid)
    if (guest === undefined) {
      guest = {
        vmid,
        generation: 0,
        work: Promise.resolve(),
        rebootRequired: false,
        bootedLives: new Set(),
      }
      guests.set(vmid, guest)
    }
    return guest
  }

  /** Queues `step` after the guest's earlier boots and shutdowns; it never rejects. */
  const enqueue = (guest: Guest, step: () => Promise<void>): Promise<void> => {
    guest.work = guest.work.then(step).catch((error: unknown) => {
      log.warn({ vmid: guest.vmid, err: error }, 'simulated guest failed to change state')
    })
    return guest.work
  }

  const takeDown = (guest: Guest): Promise<void> => {
    guest.generation += 1
    clearTimeout(guest.timer)
    delete guest.timer
    const server = guest.server
    const server6 = guest.server6
    delete guest.server
    delete guest.server6
    // Called now, not queued: the sessions must break before the simulator reports the next start.
    const closing = Promise.all([server?.close(), server6?.close()])
    return enqueue(guest, async () => {
      await closing
    })
  }

  const listen = async (vm: SimVmEvent, guest: Guest, generation: number): Promise<void> => {
    if (guest.generation !== generation) return
    const host = addressOf(vm, options.hostFor)
    if (host === undefined) {
      log.warn({ vmid: vm.vmid }, 'simulated guest has no loopback address; it stays unreachable')
      return
    }
    if (faults.isSilent(vm.vmid)) {
      log.debug({ vmid: vm.vmid }, 'simulated guest never answers ssh (fault)')
      return
    }
    // cloud-init's first-boot package upgrade (`ciupgrade` 1, the default, without a vendor
    // snippet that skips it) may bring a kernel that needs a reboot; later boots start clean
    const life = vm.config.vmgenid ?? vm.config.smbios1 ?? ''
    const upgraded =
      !guest.bootedLives.has(life) &&
      vm.config.ciupgrade !== '0' &&
      !(vm.config.cicustom ?? '').includes('vendor=')
    guest.bootedLives.add(life)
    guest.rebootRequired = upgraded
    const boots = logins.get(vm.vmid) ?? []
    const boot = boots.push(0) - 1
    logins.set(vm.vmid, boots)
    try {
      const hostKey = hostKeyOf(vm)
      const listenOn = (address: string) =>
        startGuestSshServer({
          host: address,
          port: options.port,
          hostKey: hostKey.privateKey,
          username: vm.config.ciuser ?? '',
          authorizedKeys: authorizedKeysOf(vm.config),
          onLogin: () => {
            boots[boot] = (boots[boot] ?? 0) + 1
          },
          onExec: (channel, commandLine) => {
            runGuestCommand(channel, commandLine, {
              stepDelayMs: options.scriptStepDelayMs ?? 50,
              takeScriptFault: () => faults.takeScriptFault(vm.vmid),
              rebootRequired: () => guest.rebootRequired,
              onScriptSucceeded: (script) => {
                if (faults.takeRebootRequirement(vm.vmid)) guest.rebootRequired = true
                // the first-boot script installs the agent and enables it (`systemctl enable
                // --now`): it answers from now on, and after every later boot
                if (script.includes('qemu-guest-agent')) sim.installGuestAgent(vm.vmid)
              },
              onPasswords: (passwords) => {
                shadows.set(vm.vmid, { ...shadows.get(vm.vmid), ...passwords })
              },
            })
          },
        })
      const server = await listenOn(host)
      const host6 = ipv6AddressOf(vm, host)
      const server6 = host6 === undefined ? undefined : await listenOn(host6).catch(() => undefined)
      if (guest.generation !== generation) {
        await Promise.all([server.close(), server6?.close()])
        return
      }
      guest.server = server
      if (server6 !== undefined) guest.server6 = server6
      guest.fingerprint = hostKey.fingerprint
      log.debug({ vmid: vm.vmid, host, port: options.port }, 'simulated guest answers ssh')
    } catch (error) {
      log.warn({ vmid: vm.vmid, host, err: error }, 'simulated guest cannot listen')
    }
  }

  const hostKeyOf = (vm: SimVmEvent): HostKey => {
    const lifeKey = `${vm.vmid}/${vm.config.vmgenid ?? vm.config.smbios1 ?? ''}`
    let hostKey = hostKeys.get(lifeKey)
    if (hostKey === undefined) {
      const pair = generateEd25519Key()
      const blob = Buffer.from(pair.publicKey.split(' ')[1] ?? '', 'base64')
      hostKey = { privateKey: pair.privateKey, fingerprint: hostKeyFingerprint(blob) }
      hostKeys.set(lifeKey, hostKey)
    }
    return hostKey
  }

  const startGuest = (vm: SimVmEvent, delayMs: number): void => {
    if (closed) return
    const guest = guestOf(vm.vmid)
    const generation = guest.generation
    if (guest.scheduled === generation) return
    guest.scheduled = generation
    guest.timer = setTimeout(
      () => {
        delete guest.timer
        // a held boot (fault) waits outside the queue, so a stop meanwhile is not held up
        void faults
          .bootGate(vm.vmid)
          .then(() => enqueue(guest, () => listen(vm, guest, generation)))
      },
      Math.max(0, delayMs),
    )
  }

  const onStarted = (vm: SimVmEvent): void => {
    startGuest(vm, options.bootDelayMs(vm.vmid))
  }

  const onStopped = (vm: SimVmEvent): void => {
    const guest = guests.get(vm.vmid)
    if (guest !== undefined) void takeDown(guest)
  }

  sim.on('vm-started', onStarted)
  sim.on('vm-stopped', onStopped)
  for (const vm of options.alreadyRunning ?? []) startGuest(vm, 0)

  return {
    running: () =>
      [...guests.entries()]
        .filter(([, guest]) => guest.server !== undefined)
        .map(([vmid]) => vmid)
        .sort((a, b) => a - b),
    hostKeyFingerprint: (vmid) => guests.get(vmid)?.fingerprint,
    passwordHash: (vmid, user) => shadows.get(vmid)?.[user],
    logins: (vmid) => [...(logins.get(vmid) ?? [])],
    faults,
    close: async () => {
      closed = true
      sim.off?.('vm-started', onStarted)
      sim.off?.('vm-stopped', onStopped)
      await Promise.all([...guests.values()].map(takeDown))
    },
  }
}

function addressOf(vm: SimVmEvent, hostFor: (vmid: number) => string): string | undefined {
  const configured = staticAddressOf(vm.config)
  // `ip=dhcp`: the lease the simulated DHCP server handed out
  const address = configured ?? vm.addresses?.ipv4 ?? hostFor(vm.vmid)
  return isLoopbackAddress(address) ? address : undefined
}

/**
 * The guest's IPv6 address its sshd also answers on: only a loopback kind (`::1`, or
 * `::ffff:127.x.y.z` unless that is the IPv4 address already listened on, which the same socket
 * serves); a 2001:db8:: address is shown, never bound.
 */
function ipv6AddressOf(vm: SimVmEvent, ipv4Host: string): string | undefined {
  return vm.addresses?.ipv6.find(
    (address) => isLoopbackIpv6(address) && address.toLowerCase() !== `::ffff:${ipv4Host}`,
  )
}
