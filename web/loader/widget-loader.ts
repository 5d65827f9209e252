// /widget.js: the one tag a site embeds. Creates the widget iframe (served by Helpline, so the
// chat is isolated from the host page) and sizes it: a launcher button when closed, a panel when
// open, the whole screen on phones; in the bottom corner the widget settings name.
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
  const common = "position:fixed;bottom:0;border:0;margin:0;z-index:2147483000;background:transparent;color-scheme:normal;max-width:100%;max-height:100%;";
  let side: "right" | "left" = "right";
  let isOpen = false;
  const base = () => common + (side === "left" ? "left:0;" : "right:0;");
  frame.style.cssText = base() + "width:84px;height:84px;";

  function phone(): boolean {
    return Math.min(window.innerWidth, screen.width || window.innerWidth) < 600;
  }

  function size(open: boolean): void {
    isOpen = open;
    if (!open) frame.style.cssText = base() + "width:84px;height:84px;";
    // On phones the open widget covers the whole screen: top to bottom (dynamic viewport units
    // follow the browser's toolbars), so none of the host page shows around or behind it.
    else if (phone()) frame.style.cssText = common + "top:0;left:0;width:100%;height:100%;height:100dvh;background:#fff;";
    else frame.style.cssText = base() + "width:380px;height:min(620px,100%);" + (side === "left" ? "padding:0 0 12px 12px;" : "padding:0 12px 12px 0;");
  }

  window.addEventListener("resize", function () {
    if (isOpen) size(true);
  });
  window.addEventListener("message", function (e: MessageEvent) {
    if (e.origin !== origin || !e.data || e.data.source !== "helpline") return;
    if (e.data.type === "resize") size(Boolean(e.data.open));
    if (e.data.type === "place") {
      side = e.data.side === "left" ? "left" : "right";
      size(isOpen);
    }
  });
  function mount(): void {
    document.body.appendChild(frame);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
