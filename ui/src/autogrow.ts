// Text areas grow with what is written in them, so a long 学情分析 reads as
// part of the page rather than in a three-line box with its own scrollbar;
// past a comfortable height (most of the window) they scroll after all, so
// the field's neighbours stay in reach.

/** The height a text area should have for content `contentPx` tall: at least its rows, at most `maxPx`. */
export function grownHeight(contentPx: number, minPx: number, maxPx: number): number {
  return Math.max(minPx, Math.min(contentPx, maxPx));
}

/** The most a text area grows to: 60% of the window's height, never under 200 px. */
export const comfortableMax = (viewportPx: number) => Math.max(200, Math.round(viewportPx * 0.6));

/**
 * Sizes a text area to its content (borders included, as `box-sizing:
 * border-box` counts them).
 *
 * Every measurement after a change of text makes WebKit lay the whole text
 * out again, which for a 20 KB field takes longer than a frame; measuring at
 * the natural height takes a second layout. A text area already at its
 * largest whose text still overflows keeps its height whatever was typed,
 * so it is measured once, as the frame needs anyway, and left alone.
 */
export function fitTextarea(el: HTMLTextAreaElement): void {
  const border = el.offsetHeight - el.clientHeight;
  const max = comfortableMax(window.innerHeight);
  if (el.style.height === `${max}px` && el.scrollHeight + border > max) {
    el.style.overflowY = 'auto';
    return;
  }
  // Measured at its natural height (its rows), or the old height would be kept.
  el.style.height = 'auto';
  const natural = el.offsetHeight;
  const target = grownHeight(el.scrollHeight + border, natural, max);
  el.style.height = `${target}px`;
  el.style.overflowY = el.scrollHeight + border > target ? 'auto' : 'hidden';
}
