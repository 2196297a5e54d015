import { relative } from 'node:path'

import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * The test files that take longest (seconds on the 2-core CI machine, measured by `.ci/run`),
 * longest first. Vitest starts the longest files first when its results cache knows their
 * durations, but a fresh clone has no cache and vitest then starts the largest files first:
 * the long ones here are short files that spawn the fake Proxmox tools or start the service,
 * and when one of them starts last, one core runs it alone while the other idles.
 * Update the list from a CI log when a file's time changes much; a file missing from it only
 * starts later, nothing else.
 */
export const slowFiles = [
  'test/pve/drivers/cli/injection.test.ts',
  'test/pve/drivers/cli/cli-driver-contract.test.ts',
  'test/http/install-networks.test.ts',
  'test/web/dashboard.test.ts',
  'test/conformance/conformance.test.ts',
  'test/deploy/package.test.ts',
  'test/cli/vm-commands.test.ts',
  'test/provision/install/templates.test.ts',
  'test/http/install-route.test.ts',
  'test/deploy/production-path.test.ts',
  'test/http/jobs-operator.test.ts',
  'test/cli/install.test.ts',
  'test/provision/install/password-over-ssh.test.ts',
  'test/provision/install/rollback.test.ts',
  'test/http/crash.test.ts',
  'test/provision/install/reboot.test.ts',
  'test/sim/faces/cli/fake-tools.test.ts',
  'test/pve/drivers/api/install-proxy-timeout.test.ts',
  'test/http/jobs-admission.test.ts',
  'test/http/caps.test.ts',
  'test/cli/jobs.test.ts',
  'test/provision/install/ownership.test.ts',
]

/**
 * Vitest's order (failed first, then longest first by its results cache) where the cache knows
 * every file; otherwise the files of `slowFiles` first, in its order, then the others in
 * vitest's order (largest first).
 */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const root = this.ctx.config.root
    const key = (spec: TestSpecification): string =>
      `${spec.project.name}:${relative(root, spec.moduleId)}`
    if (sorted.every((spec) => this.ctx.cache.getFileTestResults(key(spec)) !== undefined)) {
      return sorted
    }
    const rank = (spec: TestSpecification): number => {
      const index = slowFiles.indexOf(relative(root, spec.moduleId).split('\\').join('/'))
      return index === -1 ? slowFiles.length : index
    }
    // Array.prototype.sort is stable: files of equal rank keep vitest's order
    return sorted.sort((a, b) => rank(a) - rank(b))
  }
}
