import type { OsRelease } from '../images/os-catalog.js'

/** What the guest says about a reboot after its first-boot setup. */
export interface RebootNeed {
  required: boolean
  /** for the stage's message: what the guest said */
  why: string
}

/**
 * How to ask a guest whether it must reboot: Debian and Ubuntu leave `/run/reboot-required`
 * when an update needs one; Rocky's `needs-restarting -r` (dnf-utils, in every GenericCloud
 * image's kickstart) exits 1 when a reboot is needed and 0 when not.
 */
export function rebootCheckOf(release: OsRelease): {
  argv: string[]
  read: (exitCode: number | undefined) => RebootNeed
} {
  if (release.packages === 'apt') {
    return {
      argv: ['test', '-f', '/run/reboot-required'],
      read: (code) =>
        code === 0
          ? { required: true, why: '/run/reboot-required is present' }
          : code === 1
            ? { required: false, why: 'no /run/reboot-required' }
            : {
                required: true,
                why: `the check exited with ${String(code)}; rebooting to be safe`,
              },
    }
  }
  return {
    argv: ['needs-restarting', '-r'],
    read: (code) =>
      code === 1
        ? { required: true, why: 'needs-restarting -r says a reboot is required' }
        : code === 0
          ? { required: false, why: 'needs-restarting -r says no reboot is necessary' }
          : {
              required: true,
              why: `needs-restarting -r exited with ${String(code)}; rebooting to be safe`,
            },
  }
}
