/** The install's named operations for the layers above (the pipeline itself runs as a job). */
export { planDryRun, type InstallPlan } from './dry-run/plan-dry-run.js'
