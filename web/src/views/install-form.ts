import type { OsListReply } from '../../../src/http/schemas/os.js'
import { h } from '../dom.js'

type Release = OsListReply['releases'][number]

/** The install request as the form has it; empty fields are left out (the service defaults them). */
export type InstallRequest = Record<string, string | number>

/** Fills the OS and version selects from the catalog; the version list follows the OS. */
export function fillOsChoices(form: HTMLFormElement, releases: readonly Release[]): void {
  const os = form.elements.namedItem('os')
  const version = form.elements.namedItem('version')
  if (!(os instanceof HTMLSelectElement) || !(version instanceof HTMLSelectElement)) return
  const names = [...new Set(releases.map((release) => release.os))]
  os.replaceChildren(...names.map((name) => h('option', { value: name }, name)))
  const showVersions = (): void => {
    const versions = releases.filter((release) => release.os === os.value)
    version.replaceChildren(
      ...versions.map((release) =>
        h('option', { value: release.version }, `${release.version} (${release.codename})`),
      ),
    )
    const newest = versions.at(-1)
    if (newest !== undefined) version.value = newest.version
    const user = form.elements.namedItem('user')
    if (user instanceof HTMLInputElement && newest !== undefined)
      user.placeholder = newest.default_user
  }
  os.onchange = showVersions
  showVersions()
}

/** Offers the cluster's nodes as install targets (empty: the main node). */
export function fillNodeChoices(form: HTMLFormElement, nodes: readonly string[]): void {
  const select = form.elements.namedItem('node')
  if (!(select instanceof HTMLSelectElement)) return
  const current = select.value
  select.replaceChildren(
    h('option', { value: '' }, 'main node'),
    ...nodes.map((node) => h('option', { value: node }, node)),
  )
  select.value = nodes.includes(current) ? current : ''
}

const numeric = new Set(['id', 'cpu', 'ram'])

/** The request body from the form's fields. */
export function readInstallForm(form: HTMLFormElement): InstallRequest {
  const body: InstallRequest = {}
  for (const [key, value] of new FormData(form)) {
    if (typeof value !== 'string' || value.trim() === '') continue
    body[key] = numeric.has(key) ? Number(value) : value.trim()
  }
  return body
}
