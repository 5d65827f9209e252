// Legible text on an admin's colour (src/shared/colour.ts).
import { describe, expect, it } from "vitest";
import { DARK_TEXT, LIGHT_TEXT, contrast, focusRing, isHexColour, luminance, textOn } from "../src/shared/colour";

describe("isHexColour", () => {
  it("accepts #rrggbb in either case and nothing else", () => {
    for (const ok of ["#2454d6", "#FFCC00", "#000000"]) expect(isHexColour(ok)).toBe(true);
    for (const bad of ["2454d6", "#fff", "#12345g", "#2454d6 ", "red", "", "url(x)"]) expect(isHexColour(bad)).toBe(false);
  });
});

describe("contrast", () => {
  it("follows WCAG: black on white is 21, a colour on itself 1", () => {
    expect(luminance("#000000")).toBe(0);
    expect(luminance("#ffffff")).toBeCloseTo(1);
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21);
    expect(contrast("#ffffff", "#000000")).toBeCloseTo(21);
    expect(contrast("#2454d6", "#2454d6")).toBe(1);
  });
});

describe("textOn", () => {
  it("keeps white text on the default blue, as the widget always had", () => {
    expect(textOn("#2454d6")).toBe(LIGHT_TEXT);
  });
  it("uses dark text on light colours and white on dark ones", () => {
    for (const light of ["#ffffff", "#ffcc00", "#f0f0f0", "#7fffd4", "#00ff00"]) expect(textOn(light)).toBe(DARK_TEXT);
    for (const dark of ["#000000", "#1d2433", "#b3142a", "#006400", "#4b0082"]) expect(textOn(dark)).toBe(LIGHT_TEXT);
  });
  it("always picks the more legible of the two, for every grey and primary step", () => {
    for (let v = 0; v < 256; v += 5) {
      const h = v.toString(16).padStart(2, "0");
      for (const c of [`#${h}${h}${h}`, `#${h}0000`, `#00${h}00`, `#0000${h}`]) {
        const chosen = textOn(c);
        const other = chosen === LIGHT_TEXT ? DARK_TEXT : LIGHT_TEXT;
        expect(contrast(c, chosen)).toBeGreaterThanOrEqual(contrast(c, other));
      }
    }
  });
});

describe("focusRing", () => {
  // Every 17th step of each channel: 4,096 colours from black to white.
  const steps = Array.from({ length: 16 }, (_, i) => (i * 17).toString(16).padStart(2, "0"));
  const all = steps.flatMap((r) => steps.flatMap((g) => steps.map((b) => `#${r}${g}${b}`)));
  it("contrasts 3:1 with a yellow widget, where the old amber ring vanished", () => {
    for (const yellow of ["#ffcc00", "#f5c518", "#f0b400", "#ffeb3b"]) expect(contrast(focusRing(yellow), yellow)).toBeGreaterThanOrEqual(3);
  });
  it("with its white halo, stays visible on any colour and on the white panel", () => {
    for (const colour of all) {
      const ring = focusRing(colour);
      expect(contrast(ring, LIGHT_TEXT)).toBeGreaterThanOrEqual(3);
      expect(Math.max(contrast(ring, colour), contrast(LIGHT_TEXT, colour)), colour).toBeGreaterThanOrEqual(3);
    }
  });
});
