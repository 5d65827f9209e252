"""Serving the web UI: the widget loader, the widget iframe page, the console, the demo page, the
favicon, and the API's documentation (Swagger UI).

The assets are built from ``web/`` by ``make`` into ``static/`` (not committed; ``demo.css`` and
the favicon are); Swagger UI comes from the ``fastapi-offline`` package, so nothing loads from a
CDN. Each page gets a
Content-Security-Policy: scripts only from this server, no inline scripts; the console may not be
framed, the widget page may (it is embedded on customers' sites). Every other response gets the
console's policy from ``api.SecureResponses``, so HTML under ``/static`` is covered too.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"
BASE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'"
)
CONSOLE_CSP = BASE_CSP + "; frame-ancestors 'none'"
WIDGET_CSP = BASE_CSP + "; frame-ancestors *"

DEMO_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Outdoor Gear (Helpline demo)</title>
<link rel="stylesheet" href="/static/demo.css">
</head>
<body>
<header><strong>Acme Outdoor Gear</strong><nav>Tents · Backpacks · Boots</nav></header>
<main>
<h1>Everything for your next trip</h1>
<p>This page stands in for a customer's website. The chat button in the corner is the Helpline
widget, embedded with one tag exactly as a customer would:</p>
<pre>&lt;script src="https://YOUR-HELPLINE-HOST/widget.js" async&gt;&lt;/script&gt;</pre>
<p>Open the <a href="/console" target="_blank">agent console</a> in another window, log in with
one of the demo accounts that <code>make run</code> printed, go online, then start a chat here.</p>
</main>
<script src="/widget.js" async></script>
</body>
</html>
"""

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Helpline API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" href="/docs/assets/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""
# FastAPI's own settings for Swagger UI, as a file (no inline script), without the validator
# badge, which would load an image from swagger.io.
DOCS_SCRIPT = """SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""

router = APIRouter(include_in_schema=False)


def _page(name: str, csp: str) -> Response:
    index = STATIC / "app" / name / "index.html"
    if not index.is_file():
        return HTMLResponse(
            "<h1>Web assets not built</h1><p>Run <code>make web</code>.</p>", status_code=503
        )
    return FileResponse(
        index, headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"}
    )


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse("/console")


@router.get("/console")
async def console() -> Response:
    return _page("console", CONSOLE_CSP)


@router.get("/widget")
async def widget() -> Response:
    return _page("widget", WIDGET_CSP)


@router.get("/widget.js")
async def loader() -> Response:
    path = STATIC / "loader" / "widget.js"
    if not path.is_file():
        return Response(
            "/* Helpline web assets not built: run make web */",
            media_type="text/javascript",
            status_code=503,
        )
    return FileResponse(
        path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"}
    )


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """Browsers ask for it on every page without a ``<link rel="icon">``; drawn from
    ``static/favicon.svg`` by ``scripts/favicon.py``."""
    return FileResponse(
        STATIC / "favicon.ico",
        media_type="image/vnd.microsoft.icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/demo")
async def demo() -> HTMLResponse:
    return HTMLResponse(DEMO_PAGE, headers={"Content-Security-Policy": CONSOLE_CSP})


@router.get("/docs")
async def docs() -> HTMLResponse:
    return HTMLResponse(DOCS_PAGE, headers={"Content-Security-Policy": CONSOLE_CSP})


@router.get("/docs/start.js")
async def docs_script() -> Response:
    return Response(DOCS_SCRIPT, media_type="text/javascript")


def mount(app: FastAPI) -> None:
    app.include_router(router)
    STATIC.mkdir(exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    swagger_ui = StaticFiles(packages=[("fastapi_offline", "static")])
    app.mount("/docs/assets", swagger_ui, name="docs-assets")
