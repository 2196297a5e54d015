import type { InstallDeps } from '../provision/install/deps.js'
import { planInstall } from '../provision/install/pipeline.js'
import type { InstallRequest } from '../provision/install/request.js'
import { JobError } from './errors.js'
import { createInstallClaims } from './install-claims.js'
import type { JobRunner } from './job-runner.js'
import type { JobRecord } from './job.js'
import { fingerprintRequest, matchesFingerprint } from './request-fingerprint.js'

export interface InstallJobOptions {
  jobs: JobRunner
  install: InstallDeps
  request: InstallRequest
  /** the request's `Idempotency-Key` header */
  idempotencyKey?: string | undefined
  /** VMIDs an install must never take */
  isProtected?: (vmid: number) => boolean
}

export interface InstallJobStarted {
  job: JobRecord
  /** true when an earlier job with the same key and request answers instead of a new one */
  joined: boolean
}

/**
 * Starts an install as a job, or finds the one an earlier identical request started: the same
 * `Idempotency-Key` with the same body joins that job (so a retried request never makes a
 * second VM); the same key with another body is refused (`JOB_IDEMPOTENCY_CONFLICT`). Checks
 * that fail before any work throw as `planInstall` does. The job owns its VMID reservation and
 * holds its VM's lock from the moment the VMID is chosen until the job ends, and records the
 * VMID on itself.
 */
export async function startInstallJob(options: InstallJobOptions): Promise<InstallJobStarted> {
  const { jobs, request, idempotencyKey: key } = options
  const earlier = key === undefined ? undefined : jobs.findByIdempotencyKey(key)
  if (earlier !== undefined) return { job: await sameRequest(earlier, key, request), joined: true }
  jobs.admit('install')

  const claims = createInstallClaims({
    reservations: options.install.reservations,
    locks: options.install.locks,
    ...(options.isProtected === undefined ? {} : { isProtected: options.isProtected }),
  })
  const plan = await planInstall({ ...options.install, reservations: claims.reservations }, request)
  const fingerprint = key === undefined ? undefined : await fingerprintRequest(request)

  // another request with the key may have started its job while this one was being checked;
  // from here to start() nothing awaits, so no third one can slip in
  const raced = key === undefined ? undefined : jobs.findByIdempotencyKey(key)
  if (raced !== undefined) return { job: await sameRequest(raced, key, request), joined: true }
  const job = jobs.start(
    {
      type: 'install',
      summary: summarize(request),
      ...(key === undefined || fingerprint === undefined
        ? {}
        : { idempotency: { key, fingerprint } }),
    },
    async (report, signal) => {
      try {
        // the job's id goes into the VM's ownership stamp; start() returned before this runs
        await plan.run(report, signal, { jobId: job.id })
      } finally {
        claims.releaseAll()
      }
    },
  )
  claims.bind(job.id, (vmid) => jobs.setVmid(job.id, vmid))
  return { job, joined: false }
}

async function sameRequest(
  earlier: { job: JobRecord; fingerprint: string },
  key: string | undefined,
  request: InstallRequest,
): Promise<JobRecord> {
  if (await matchesFingerprint(earlier.fingerprint, request)) return earlier.job
  throw new JobError(
    'JOB_IDEMPOTENCY_CONFLICT',
    `Idempotency-Key ${JSON.stringify(key)} was used for a different request (job ${earlier.job.id})`,
  )
}

/** `ubuntu 22.04 web-01`: what the list of jobs shows for an install. No secret goes in. */
function summarize(request: InstallRequest): string {
  const name = request.name === undefined ? '' : ` ${request.name}`
  const id = request.id === undefined ? '' : ` (VMID ${request.id})`
  return `${request.os} ${request.version}${name}${id}`
}
