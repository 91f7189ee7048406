// Keyboard shortcuts: Ctrl (or ⌘) + N for a new lesson plan, + Shift + N
// for a new case, + F or / for search.

export type Shortcut = 'new_lesson' | 'new_case' | 'search';

export function shortcutFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'> & { target?: EventTarget | null }): Shortcut | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (mod && !e.altKey && key === 'n') return e.shiftKey ? 'new_case' : 'new_lesson';
  if (mod && !e.altKey && !e.shiftKey && key === 'f') return 'search';
  if (!mod && !e.altKey && e.key === '/' && !isTyping(e.target ?? null)) return 'search';
  return null;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable === true;
}
