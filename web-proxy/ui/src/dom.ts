// A tiny element builder: text always goes through textContent, never HTML.
type Child = Node | string | null | undefined | false;

export function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

export function button(label: string, onClick: () => void, cls = ""): HTMLButtonElement {
  const b = h("button", { type: "button", class: cls }, label) as HTMLButtonElement;
  b.addEventListener("click", onClick);
  return b;
}

// Elements by key, each drawn once and kept while what it shows stays the
// same: a list drawn again keeps the elements of its unchanged rows (what
// is typed in them, the focus, a tap under way).
export class KeptViews {
  private readonly views = new Map<string, { shows: string; el: HTMLElement }>();

  // The element for `key`: the one drawn before if it showed `shows` too,
  // else a new one from `draw`.
  get(key: string, shows: string, draw: () => HTMLElement): HTMLElement {
    let view = this.views.get(key);
    if (view?.shows !== shows) this.views.set(key, view = { shows, el: draw() });
    return view.el;
  }

  // Forgets every key but `keys` (the rows no longer listed).
  keepOnly(keys: Iterable<string>): void {
    const kept = new Set(keys);
    for (const key of this.views.keys()) if (!kept.has(key)) this.views.delete(key);
  }
}

// Makes `parent`'s children exactly `children`, in order, moving only what
// is not already in its place: unlike replaceChildren, children that stay
// are never detached, so a long list whose last entry changed costs the
// browser that entry's style and layout, not the whole list's.
export function syncChildren(parent: Element, children: readonly Element[]): void {
  const keep = new Set<Element>(children);
  for (const child of [...parent.children]) {
    if (!keep.has(child)) child.remove();
  }
  children.forEach((child, i) => {
    const at = parent.children[i];
    if (at !== child) parent.insertBefore(child, at ?? null);
  });
}
