// The colour theme: light, dark, or the system's (no attribute: the stylesheet follows
// prefers-color-scheme).

import type { Settings } from "./types";

export function applyTheme(theme: Settings["theme"]): void {
  const root = document.documentElement;
  if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
  else root.removeAttribute("data-theme");
}
