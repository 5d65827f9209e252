// Keyboard focus for the admin's in-place forms: a form that opens takes focus on its first
// field, and closing it gives focus back to the button that opened it, so keyboard users never
// have to hunt for where they were.
import { useLayoutEffect, useRef } from "preact/hooks";

const FIELD = "input:not([type=hidden]), select, textarea";

/** A ref for a form that focuses its first field when the form mounts. */
export function useFirstFieldFocus() {
  const form = useRef<HTMLFormElement>(null);
  // Before the browser paints, so no keystroke aimed at another field can land in between.
  useLayoutEffect(() => {
    form.current?.querySelector<HTMLElement>(FIELD)?.focus();
  }, []);
  return form;
}

/** `remember` the button that opens a form (pass its event); `giveBack` focuses it again. */
export function useOpener() {
  const opener = useRef<HTMLElement | null>(null);
  return {
    remember: (e: { currentTarget: EventTarget | null }) => {
      opener.current = e.currentTarget instanceof HTMLElement ? e.currentTarget : null;
    },
    giveBack: () => {
      if (opener.current?.isConnected) opener.current.focus();
    },
  };
}
