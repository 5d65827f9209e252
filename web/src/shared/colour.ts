// Colours an admin picks: which text colour stays legible on them. Pure, tested in
// web/tests/colour.test.ts; the widget and the console's preview use the same rule.

export const LIGHT_TEXT = "#ffffff";
export const DARK_TEXT = "#1d2433";
const HEX = /^#[0-9a-f]{6}$/i;

export function isHexColour(value: string): boolean {
  return HEX.test(value);
}

/** WCAG relative luminance of a `#rrggbb` colour, 0 (black) to 1 (white). */
export function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio of two `#rrggbb` colours, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** White or dark text, whichever contrasts more with `background` (a `#rrggbb` colour). */
export function textOn(background: string): string {
  return contrast(background, LIGHT_TEXT) >= contrast(background, DARK_TEXT) ? LIGHT_TEXT : DARK_TEXT;
}

/** The focus ring's colour for a widget in `colour`: the dark text colour where it contrasts
 *  3:1 with `colour` (WCAG's minimum for a focus indicator), else black. The ring always sits
 *  on a white halo, so the pair stays visible on `colour`, on white and on any host page: one of
 *  the two contrasts 3:1 with any colour, and the ring contrasts with the halo. */
export function focusRing(colour: string): string {
  return contrast(colour, DARK_TEXT) >= 3 ? DARK_TEXT : "#000000";
}
