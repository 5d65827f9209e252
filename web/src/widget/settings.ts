// What the widget does with the settings from GET /api/v1/widget/config: its colours and which
// pre-chat fields it shows and requires. Pure, tested in web/tests/widget-settings.test.ts.
import { focusRing, isHexColour, textOn } from "../shared/colour";

export type FieldMode = "required" | "optional" | "hidden";
export type Config = {
  topics: string[];
  available: boolean;
  colour: string;
  greeting: string;
  position: "right" | "left";
  prechat_fields: { name: FieldMode; email: FieldMode };
  /** The longest message the server accepts, in characters (an older server does not say). */
  max_message_chars: number;
};
export type FormField = { shown: boolean; required: boolean };

// The look before the config arrives: the server's defaults (helpline/widget/service.py).
export const DEFAULT_CONFIG: Config = {
  topics: [],
  available: true,
  colour: "#2454d6",
  greeting: "Chat with us",
  position: "right",
  prechat_fields: { name: "required", email: "optional" },
  max_message_chars: 4000,
};

/** The widget's colour, the text colour legible on it and a focus ring visible on it, as CSS
 *  custom properties. */
export function colours(config: Config): Record<string, string> {
  const colour = isHexColour(config.colour) ? config.colour : DEFAULT_CONFIG.colour;
  return { "--hl-colour": colour, "--hl-on-colour": textOn(colour), "--hl-focus": focusRing(colour) };
}

/** Which fields the pre-chat form shows and requires. With no one online the form asks for an
 * e-mail whatever the settings say: it is how an answer reaches a visitor who left. */
export function prechatFields(config: Config): { name: FormField; email: FormField } {
  const field = (mode: FieldMode): FormField => ({ shown: mode !== "hidden", required: mode === "required" });
  const email = config.available ? field(config.prechat_fields.email) : { shown: true, required: true };
  return { name: field(config.prechat_fields.name), email };
}
