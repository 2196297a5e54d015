type Child = Node | string | number | false | null | undefined

/** Attributes of {@link h}: `on*` functions become listeners, `class`/`data-*`/others attributes. */
export type Attributes = Record<
  string,
  string | number | boolean | ((event: Event) => void) | undefined
>

/**
 * Creates an element with attributes and children; text children are text nodes (never HTML),
 * so nothing the service says can inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    if (typeof value === 'function') element.addEventListener(name.slice(2), value)
    else if (value === true) element.setAttribute(name, '')
    else element.setAttribute(name, String(value))
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    element.append(typeof child === 'number' ? String(child) : child)
  }
  return element
}

/** Replaces the children of the element with id `id`. */
export function fill(id: string, ...children: Child[]): void {
  const target = document.getElementById(id)
  if (target === null) return
  target.replaceChildren()
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    target.append(typeof child === 'number' ? String(child) : child)
  }
}
