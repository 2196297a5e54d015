import { finalizingStep, installStages } from '../provision/install/pipeline.js'
import type { JobType } from './job.js'

/**
 * The stages of each kind of job, in order, by the step names their events carry. An install's
 * come from the pipeline itself, so a stage added there is counted here too.
 */
const stagesByType: Record<JobType, readonly string[]> = {
  install: [...installStages.map((stage) => stage.name), finalizingStep],
  start: ['starting VM', 'waiting for ready', 'finalizing'],
  reboot: ['rebooting VM', 'waiting for ready', 'finalizing'],
  migrate: ['migrating VM', 'finalizing'],
  stop: ['stopping VM'],
  shutdown: ['shutting down VM'],
  destroy: ['destroying VM'],
  configure: ['changing VM'],
}

/**
 * Where a step sits in its job: `stage` counts from 1, `stages` is the total. A step outside the
 * list (waiting in the queue) is stage 0; a failure reported under a stage keeps its number.
 */
export function stageOf(type: JobType, step: string): { stage: number; stages: number } {
  const list = stagesByType[type]
  return { stage: list.indexOf(step) + 1, stages: list.length }
}

/** The step names of a job type, in order (for the dashboard's progress bar). */
export function stagesOf(type: JobType): readonly string[] {
  return stagesByType[type]
}
