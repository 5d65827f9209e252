// The message list of a chat, as the widget and the console show it: lines in order, the newest
// kept in view, and who is typing at the end. Each client decides what its lines say.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { RichText } from "./text";

/** The list. `count` (the lines shown) and `typing` (the name of whoever is typing, or null)
 *  change when a line is added: the list then scrolls to its end. `focusable` lets keyboard
 *  users scroll it (the console's panes). */
export function MessageList(props: { count: number; typing: string | null; focusable?: boolean; children: ComponentChildren }): JSX.Element {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    list.current?.scrollTo(0, list.current.scrollHeight);
  }, [props.count, props.typing]);
  return (
    <ol class="messages" ref={list} aria-live="polite" aria-label="Messages" tabIndex={props.focusable ? 0 : undefined}>
      {props.children}
      {props.typing && <li class="system typing">{props.typing} is typing…</li>}
    </ol>
  );
}

/** One message: `mine` on the reader's side, else on the other (neither when undefined: a
 *  handover note). `kind` and `state` add classes (`note`, `pending`); `who` names the writer,
 *  `meta` says when (or how sending went); either is left out when undefined. */
export function Bubble(props: { mine?: boolean; text: string; who?: string; meta?: string; kind?: string; state?: string }): JSX.Element {
  const side = props.mine === undefined ? undefined : props.mine ? "mine" : "theirs";
  const classes = ["msg", props.kind, side, props.state].filter(Boolean).join(" ");
  return (
    <li class={classes}>
      {props.who !== undefined && <span class="who">{props.who}</span>}
      <RichText text={props.text} />
      {props.meta !== undefined && <span class="meta">{props.meta}</span>}
    </li>
  );
}

/** A line about the chat rather than in it ("Ana joined the chat"). */
export function SystemLine(props: { text: string }): JSX.Element {
  return <li class="system">{props.text}</li>;
}
