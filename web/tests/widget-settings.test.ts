// The widget's settings applied (src/widget/settings.ts): colours and pre-chat fields.
import { describe, expect, it } from "vitest";
import { type Config, DEFAULT_CONFIG, colours, prechatFields } from "../src/widget/settings";

const config = (change: Partial<Config> = {}): Config => ({ ...DEFAULT_CONFIG, ...change });

describe("colours", () => {
  it("sets the colour and legible text on it", () => {
    expect(colours(config())).toEqual({ "--hl-colour": "#2454d6", "--hl-on-colour": "#ffffff", "--hl-focus": "#000000" });
    expect(colours(config({ colour: "#ffcc00" }))).toEqual({ "--hl-colour": "#ffcc00", "--hl-on-colour": "#1d2433", "--hl-focus": "#1d2433" });
  });
  it("falls back to the default for anything that is not #rrggbb", () => {
    expect(colours(config({ colour: "red; background: url(x)" }))["--hl-colour"]).toBe("#2454d6");
  });
});

describe("prechatFields", () => {
  it("by default requires a name and offers an optional e-mail, as before", () => {
    expect(prechatFields(config())).toEqual({ name: { shown: true, required: true }, email: { shown: true, required: false } });
  });
  it("shows, requires or hides each field as configured", () => {
    const f = prechatFields(config({ prechat_fields: { name: "hidden", email: "required" } }));
    expect(f).toEqual({ name: { shown: false, required: false }, email: { shown: true, required: true } });
    expect(prechatFields(config({ prechat_fields: { name: "optional", email: "hidden" } }))).toEqual({
      name: { shown: true, required: false },
      email: { shown: false, required: false },
    });
  });
  it("asks for an e-mail when no one is online, whatever the settings", () => {
    for (const email of ["required", "optional", "hidden"] as const) {
      const f = prechatFields(config({ available: false, prechat_fields: { name: "hidden", email } }));
      expect(f.email).toEqual({ shown: true, required: true });
      expect(f.name.shown).toBe(false);
    }
  });
});
