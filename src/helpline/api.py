"""The application: composition of routers, error handling, health, and the runtime's lifecycle.

Nothing here decides anything about chats; it wires the domains together.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpline import __version__, background, schema, web
from helpline.agents import actions as agent_actions
from helpline.agents.views import router as agents_router
from helpline.canned.views import router as canned_router
from helpline.conversations.live import ChatFrames, ConversationStreams, InboxStreams
from helpline.conversations.views import router as conversations_router
from helpline.conversations.views import widget as widget_router
from helpline.conversations.writer import MessageWriter
from helpline.core.broker import Broker, InProcessBroker, RedisBroker
from helpline.core.config import Settings
from helpline.core.db import Database
from helpline.core.errors import ErrorCode, HelplineError, Invalid, RateLimited
from helpline.core.jobs import Jobs
from helpline.core.runtime import Runtime
from helpline.core.streams import StreamSources
from helpline.deps import ConnectionIdentities
from helpline.realtime import frames
from helpline.realtime import protocol as p
from helpline.realtime.hub import Hub
from helpline.realtime.sse import router as sse_router
from helpline.realtime.websocket import websocket_app
from helpline.routing.router import Router
from helpline.routing.views import router as routing_router
from helpline.widget.views import router as widget_settings_router

log = logging.getLogger("helpline")
MAX_BODY_BYTES = 64 * 1024
# How much of an oversized body is read and dropped before the 413 goes out: closing a socket
# with unread data resets it, and the client would see a connection error, not the answer.
DRAIN_BYTES = 1024 * 1024
HTTP_CODES = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.TOO_LARGE,
}


class BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` once a body passes the limit. An ``HTTPException``, because
    FastAPI's body parsing re-raises those (it turns anything else into a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body is over {limit} bytes.")


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 ``too_large``, declared or chunked.

    A declared ``Content-Length`` over the limit is answered before the app runs. Otherwise the
    app's ``receive`` counts bytes and raises :class:`BodyTooLarge` as soon as the limit is
    passed, however far the app had read; the app's ``HTTPException`` handler answers it.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            if int(declared) <= self.limit + DRAIN_BYTES:
                await _drain(receive)
            error = BodyTooLarge(self.limit)
            await _json(send, 413, {"code": ErrorCode.TOO_LARGE, "message": error.detail})
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            if seen > self.limit:
                raise BodyTooLarge(self.limit)
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                if message.get("more_body", False):
                    await _drain(receive)
                raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited, send)


async def _drain(receive: Receive) -> None:
    """Read and drop up to ``DRAIN_BYTES`` of the request body."""
    dropped = 0
    while dropped <= DRAIN_BYTES:
        message = await receive()
        dropped += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _json(send: Send, status: int, body: dict[str, Any]) -> None:
    content = json.dumps(body, separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(content))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


class SecureResponses:
    """The outermost layer for HTTP (pure ASGI, so nothing escapes it): every response carries
    the security headers, including the 413s of :class:`BodyLimit` and the 500s of the error
    handlers; pages that need another Content-Security-Policy set their own.

    An exception that the app already answered ends here: Starlette re-raises it after the 500
    went out, for servers to log, and uvicorn would log it twice and drop the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extra = _API_HEADERS if scope["path"].startswith("/api/") else _HEADERS
        answered = False

        async def secured(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True
            await send(message)

        try:
            await self.app(scope, receive, secured)
        except Exception:
            if not answered:
                raise


_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", web.CONSOLE_CSP.encode()),
]
_API_HEADERS = [*_HEADERS, (b"cache-control", b"no-store")]


async def refuse_bad_text(request: Request) -> None:
    """Refuse control characters (other than tab and line breaks) and unpaired surrogates in
    any string of a request: path and query parameters, and a JSON body's strings and keys.
    The same rule as for frames (``protocol.check_json``); ``bad_text``, 422."""
    params = [*request.path_params.items(), *request.query_params.multi_items()]
    for name, value in params:
        if p.BAD_TEXT.search(f"{name}{value}"):
            field = "query" if p.BAD_TEXT.search(name) else name
            raise Invalid(p.bad_text_message(field), code=ErrorCode.BAD_TEXT, fields=[field])
    if getattr(request.scope.get("route"), "body_field", None) is None:
        return  # no body, or one the view reads itself (the frames fallback: protocol.parse)
    try:
        body = await request.json()  # FastAPI parsed it already; this is its cached result
    except (ValueError, RecursionError):
        return  # not JSON: FastAPI reports that itself
    problem = p.check_json(body)
    if problem is None:
        return
    kind, field = problem
    if kind == "bad_json":
        message = f"The body is nested more than {p.MAX_DEPTH} levels deep."
        raise Invalid(message, fields=[field.split(".", 1)[0] or "body"])
    raise Invalid(
        p.bad_text_message(field or "body"), code=ErrorCode.BAD_TEXT, fields=[field or "body"]
    )


def _validation_details(exc: RequestValidationError) -> dict[str, Any]:
    fields = sorted(
        {".".join(str(part) for part in e["loc"] if part != "body") or "body" for e in exc.errors()}
    )
    return {"fields": fields}


def node_name(settings: Settings) -> str:
    """This process's name among the nodes: ``HELPLINE_NODE_ID`` or host, pid and a nonce."""
    return settings.node_id or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def make_broker(settings: Settings, node: str) -> Broker:
    """Redis between nodes when ``HELPLINE_REDIS_URL`` is set; otherwise in-process."""
    if settings.redis_url:
        return RedisBroker(
            settings.redis_url,
            node=node,
            channel=settings.redis_channel,
            resync_s=settings.resync_s,
        )
    return InProcessBroker()


class App:
    """The ASGI entry point: ``/ws`` goes straight to the WebSocket adapter, the rest (HTTP, the
    lifespan) to FastAPI. FastAPI's routing and middleware would otherwise run on every
    WebSocket connection, and their frames stay alive for the socket's lifetime."""

    def __init__(self, api: FastAPI) -> None:
        self.api = api
        self.http = SecureResponses(api)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/ws":
            await websocket_app(self.api.state, scope, receive, send)
        elif scope["type"] == "http":
            await self.http(scope, receive, send)
        else:
            await self.api(scope, receive, send)


def create_asgi() -> App:
    """What ``helpline serve`` runs."""
    return App(create_app())


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    frames.check_with(schema.frame_checker() if settings.check_frames else None)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        node = node_name(settings)
        rt = Runtime(
            settings=settings,
            db=Database(settings.database_url),
            broker=make_broker(settings, node),
            node=node,
        )
        hub = Hub(
            rt,
            sources=StreamSources([ConversationStreams(rt), InboxStreams()]),
            chat=ChatFrames(rt),
            identities=ConnectionIdentities(rt),
            touch_presence=functools.partial(agent_actions.do_touch_presence, rt),
        )
        router = Router(rt)
        jobs = Jobs(rt, background.jobs(rt, router), lease_ttl_s=background.lease_ttl_s(settings))
        writer = MessageWriter(rt)
        rt.message_writer = writer
        await rt.broker.start(hub.deliver, hub.resync)
        writer.start()
        hub.start()
        router.start()
        jobs.start()
        app.state.rt, app.state.hub, app.state.router, app.state.jobs = rt, hub, router, jobs
        # Everything built so far (modules, mappers, schemas) lives as long as the process:
        # keep it out of the cyclic collector's full passes, which would otherwise walk it
        # every time and pause every connection for tens of milliseconds.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await jobs.stop()
            await router.stop()
            await writer.stop()
            await hub.stop()
            await rt.broker.close()
            await rt.db.close()

    app = FastAPI(
        title="Helpline",
        version=__version__,
        description="Self-hosted live chat for support teams. Protocol: docs/protocol.md.",
        lifespan=lifespan,
        dependencies=[Depends(refuse_bad_text)],
        docs_url=None,  # served by web.py from this server, not a CDN
        redoc_url=None,
    )

    @app.exception_handler(HelplineError)
    async def helpline_error(_request: Request, exc: HelplineError) -> JSONResponse:
        retry = exc.details.get("retry_after_s") if isinstance(exc, RateLimited) else None
        headers = {"Retry-After": str(retry)} if retry is not None else None
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        message = f"Missing or invalid fields: {', '.join(details['fields'])}."
        return JSONResponse(
            {"code": ErrorCode.INVALID, "message": message, "details": details}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Starlette's and FastAPI's own errors (unknown path, wrong method, unparsable body, a
        body over the limit), in the shape of ours."""
        code = HTTP_CODES.get(exc.status_code, ErrorCode.HTTP_ERROR)
        body = {"code": code, "message": str(exc.detail)}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        """A bug. Logged with the route's template, never the request's path, query or body;
        the log formatter (cli.py) withholds the exception's message, which may quote them."""
        route = getattr(request.scope.get("route"), "path", "-")
        log.error("unhandled error in %s %s", request.method, route, exc_info=exc)
        body = {
            "code": ErrorCode.INTERNAL,
            "message": "Something went wrong on our side. Please retry.",
        }
        return JSONResponse(body, status_code=500)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process is serving."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the database answers. Also names this node, its broker state and jobs."""
        rt: Runtime = request.app.state.rt
        ok = await rt.db.ping()
        body = {
            "status": "ok" if ok else "unavailable",
            "database": "ok" if ok else "unreachable",
            "broker": rt.broker.status(),
            "node": rt.node,
            "runs_jobs": request.app.state.jobs.held(background.ROUTING_TICK),
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    for router in (
        agents_router,
        conversations_router,
        widget_router,
        canned_router,
        routing_router,
        widget_settings_router,
        sse_router,
    ):
        app.include_router(router)
    web.mount(app)
    app.add_middleware(BodyLimit)
    return app
