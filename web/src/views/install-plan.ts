import { call } from '../api.js'
import { h } from '../dom.js'
import { readInstallForm } from './install-form.js'

/** The fields of a dry-run plan the dashboard shows. */
interface Plan {
  vm_id: number
  ip: string
  network?: string
  addressing?: string
  node: string
  storage: string
  image: { cached: boolean; size_bytes: number | null }
  template: { note: string }
  reboot: string
  stages: { step: string; estimate_seconds: number | null }[]
  commands?: string[]
  estimate: { seconds: number; from_installs: number }
  problems: string[]
}

function isPlan(value: unknown): value is Plan {
  return typeof value === 'object' && value !== null && 'vm_id' in value && 'stages' in value
}

/** The plan as lines of text. */
function describePlan(plan: Plan): string {
  const size =
    plan.image.size_bytes === null ? '' : `, ${(plan.image.size_bytes / 1024 ** 2).toFixed(1)} MB`
  const lines = [
    `VMID ${String(plan.vm_id)}, IP ${plan.ip === '' ? 'assigned at install' : plan.ip} on ${plan.node} (${plan.storage})`,
    ...(plan.network === undefined
      ? []
      : [`network: ${plan.network}${plan.addressing === undefined ? '' : `, ${plan.addressing}`}`]),
    `image: ${plan.image.cached ? 'cached' : 'to download'}${size}`,
    `disk: ${plan.template.note}`,
    `reboot: ${plan.reboot}`,
    plan.estimate.from_installs === 0
      ? 'estimate: no earlier install recorded yet'
      : `estimate: ~${plan.estimate.seconds.toFixed(0)}s (from ${String(plan.estimate.from_installs)} earlier installs)`,
    'stages:',
    ...plan.stages.map(
      (stage) =>
        `  ${stage.step}${stage.estimate_seconds === null ? '' : ` ~${stage.estimate_seconds.toFixed(1)}s`}`,
    ),
    ...(plan.commands === undefined
      ? []
      : ['Proxmox commands:', ...plan.commands.map((c) => `  ${c}`)]),
    ...plan.problems.map((problem) => `problem: ${problem}`),
  ]
  return lines.join('\n')
}

/**
 * Adds a "Plan" button to the install form: it asks the service what the install would do
 * (`"dry_run": true`: nothing is reserved or created) and shows the answer under the form.
 */
export function setUpPlanButton(): void {
  const form = document.getElementById('install-form')
  if (!(form instanceof HTMLFormElement)) return
  const install = form.querySelector('button[type="submit"]')
  const output = h('pre', { id: 'install-plan', class: 'plan' })
  output.hidden = true
  const button = h('button', { type: 'button', id: 'plan-button' }, 'Plan')
  button.addEventListener('click', () => {
    if (!form.reportValidity()) return
    output.hidden = false
    output.textContent = 'planning…'
    void call('/api/vm/install', {
      method: 'POST',
      json: { ...readInstallForm(form), dry_run: true },
    })
      .then(async (response) => {
        const plan: unknown = await response.json()
        output.textContent = isPlan(plan) ? describePlan(plan) : JSON.stringify(plan, null, 2)
      })
      .catch((error: unknown) => {
        output.textContent = error instanceof Error ? error.message : String(error)
      })
  })
  if (install === null) form.append(button)
  else install.before(button)
  form.after(output)
}
