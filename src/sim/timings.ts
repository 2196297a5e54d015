/**
 * Every duration and rate the simulator uses, in one table, with where the number comes from.
 * Durations are milliseconds at speed 1; the pacer multiplies them by `speed` (0 = no waiting).
 *
 * | name                        | value          | source                                                        |
 * |-----------------------------|----------------|---------------------------------------------------------------|
 * | statdCycleMs                | 10 s           | pve.md §1.4/§7: pvestatd `$updatetime = 10`                    |
 * | configLockWaitMs            | 10 s           | pve.md §0.4/§7: config flock wait                              |
 * | createLockWaitMs            | 5 s            | pve.md §0.4/§7: create waits 5 s for the config flock          |
 * | storageLockWaitMs           | 10 s           | no source in pve.md; pve-storage's default lock wait, per brief |
 * | storageAllocHoldMs          | 0.8 s          | no source; chosen so ~20 parallel creates on one storage time out (20 × 0.8 s > 10 s) |
 * | createBaseMs                | 1 s            | no source; chosen                                              |
 * | importBytesPerSecond        | 400 MiB/s      | no source (pve.md §7: "not found"); chosen                     |
 * | startMs                     | 2 s            | no source (pve.md §7: "not found"); chosen                     |
 * | stopMs                      | 1 s            | no source; chosen                                              |
 * | shutdownMs                  | 3 s            | no source; chosen                                              |
 * | destroyMs                   | 1 s            | no source; chosen                                              |
 * | resizeMs                    | 0.5 s          | no source; chosen                                              |
 * | configAsyncMs               | 0.2 s          | no source; chosen (POST /config worker start-up)               |
 * | migrateDiskBytesPerSecond   | 200 MiB/s      | no source; chosen                                              |
 * | migrateDiskMaxMs            | 15 s           | no source; cap so a demo migration stays under 30 s            |
 * | migrateMemoryBytesPerSecond | 1 GiB/s        | pve.md §7: real log, 12.6 GiB VM-state at about 1 GiB/s        |
 * | migrateSetupMs              | 4 s            | pve.md §2.10 real log: remote VM start to tunnel took 4 s      |
 * | migrateFinishMs             | 4 s            | pve.md §2.10 real log: completed 00:34:38, finished 00:34:42   |
 * | downloadBytesPerSecond      | 50 MiB/s       | no source (pve.md §7: depends on wget and network); chosen      |
 * | templateMs                  | 1 s            | no source; chosen (renames volumes, writes the config)          |
 * | cloneLockWaitMs             | 1 s            | pve.md §0.4/§7/§10.10: clone waits 1 s for the config flock     |
 * | cloneLinkedMs               | 0.5 s          | pve-docs: a linked clone is "nearly instantaneous"; chosen      |
 * | persistDebounceMs           | 200 ms         | no source; not scaled by speed (it is our I/O, not Proxmox's)  |
 * | guestBootMs                 | 12 s           | no source; a cloud image's boot to qemu-ga and sshd; chosen     |
 */
const MiB = 1024 * 1024
const GiB = 1024 * MiB

export const timings = {
  statdCycleMs: 10_000,
  configLockWaitMs: 10_000,
  createLockWaitMs: 5_000,
  storageLockWaitMs: 10_000,
  storageAllocHoldMs: 800,
  createBaseMs: 1_000,
  importBytesPerSecond: 400 * MiB,
  startMs: 2_000,
  stopMs: 1_000,
  shutdownMs: 3_000,
  destroyMs: 1_000,
  resizeMs: 500,
  configAsyncMs: 200,
  migrateDiskBytesPerSecond: 200 * MiB,
  migrateDiskMaxMs: 15_000,
  migrateMemoryBytesPerSecond: GiB,
  migrateSetupMs: 4_000,
  migrateFinishMs: 4_000,
  downloadBytesPerSecond: 50 * MiB,
  templateMs: 1_000,
  cloneLockWaitMs: 1_000,
  cloneLinkedMs: 500,
  persistDebounceMs: 200,
  guestBootMs: 12_000,
} as const
