// /widget.js: the one tag a site embeds. Creates the widget iframe (served by Helpline, so the
// chat is isolated from the host page) and sizes it: a launcher button when closed, a panel when
// open, the whole screen on phones.
(function () {
  const w = window as unknown as { __helpline?: boolean };
  if (w.__helpline) return;
  w.__helpline = true;
  const script = document.currentScript as HTMLScriptElement | null;
  const origin = script ? new URL(script.src).origin : location.origin;
  const frame = document.createElement("iframe");
  frame.src = origin + "/widget";
  frame.title = "Chat with support";
  frame.setAttribute("data-helpline", "widget");
  const base = "position:fixed;bottom:0;right:0;border:0;z-index:2147483000;background:transparent;color-scheme:normal;";
  const closed = base + "width:84px;height:84px;";
  frame.style.cssText = closed;

  function size(open: boolean): void {
    if (!open) frame.style.cssText = closed;
    else if (window.innerWidth < 600) frame.style.cssText = base + "width:100%;height:100%;";
    else frame.style.cssText = base + "width:380px;height:min(620px,100%);padding:0 12px 12px 0;";
  }

  window.addEventListener("message", function (e: MessageEvent) {
    if (e.origin !== origin || !e.data || e.data.source !== "helpline") return;
    if (e.data.type === "resize") size(Boolean(e.data.open));
  });
  function mount(): void {
    document.body.appendChild(frame);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
