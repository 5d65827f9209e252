"""Settings read once from the environment (``HELPLINE_*``), with defaults for a single node."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"HELPLINE_{name}", default)


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_float(name: str, default: float) -> float:
    return float(_env(name, str(default)))


@dataclass(frozen=True)
class Settings:
    """Everything an operator can set. See docs/operations.md for the meaning of each."""

    database_url: str = "sqlite+aiosqlite:///./var/helpline.db"
    redis_url: str = ""
    redis_channel: str = "helpline:events"
    node_id: str = ""
    resync_s: float = 5.0
    public_url: str = ""
    allowed_origins: tuple[str, ...] = ()
    identity_secret: str = ""
    session_ttl_s: int = 12 * 3600
    max_frame_bytes: int = 16 * 1024
    max_message_chars: int = 4000
    heartbeat_s: float = 20.0
    idle_timeout_s: float = 60.0
    presence_timeout_s: float = 60.0
    replay_limit: int = 1000
    relax_skills_after_s: float = 120.0
    default_handle_time_s: float = 300.0
    route_interval_s: float = 2.0
    # Feed consumers added by the deployment, as "module:attribute" (core/feed.py), and how
    # long the feed keeps events every consumer has passed.
    consumers: tuple[str, ...] = ()
    feed_keep_days: float = 30.0
    conversation_rate: tuple[int, float] = (5, 60.0)
    visitor_message_rate: tuple[int, float] = (20, 10.0)
    login_rate: tuple[int, float] = (10, 300.0)
    # Typing and read receipts: per sender and conversation. A client sends typing on and off
    # and a read when new messages show, so these budgets are far above what a person makes.
    typing_rate: tuple[int, float] = (30, 10.0)
    receipt_rate: tuple[int, float] = (30, 10.0)
    static_dir: Path = field(default_factory=lambda: Path(__file__).parent.parent / "static")
    # Development and tests: validate every server frame against the protocol's models before
    # it is sent, and refuse to send one that does not match (realtime/frames.py).
    check_frames: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        origins = tuple(o.strip().rstrip("/") for o in _env("ALLOWED_ORIGINS", "").split(",") if o)
        return cls(
            database_url=_env("DATABASE_URL", cls.database_url),
            redis_url=_env("REDIS_URL", ""),
            redis_channel=_env("REDIS_CHANNEL", cls.redis_channel),
            node_id=_env("NODE_ID", ""),
            resync_s=_env_float("RESYNC_S", cls.resync_s),
            public_url=_env("PUBLIC_URL", "").rstrip("/"),
            allowed_origins=origins,
            identity_secret=_env("IDENTITY_SECRET", ""),
            session_ttl_s=_env_int("SESSION_TTL_S", cls.session_ttl_s),
            heartbeat_s=_env_float("HEARTBEAT_S", cls.heartbeat_s),
            idle_timeout_s=_env_float("IDLE_TIMEOUT_S", cls.idle_timeout_s),
            presence_timeout_s=_env_float("PRESENCE_TIMEOUT_S", cls.presence_timeout_s),
            relax_skills_after_s=_env_float("RELAX_SKILLS_AFTER_S", cls.relax_skills_after_s),
            route_interval_s=_env_float("ROUTE_INTERVAL_S", cls.route_interval_s),
            conversation_rate=_rate("CONVERSATION_RATE", cls.conversation_rate),
            visitor_message_rate=_rate("VISITOR_MESSAGE_RATE", cls.visitor_message_rate),
            login_rate=_rate("LOGIN_RATE", cls.login_rate),
            typing_rate=_rate("TYPING_RATE", cls.typing_rate),
            receipt_rate=_rate("RECEIPT_RATE", cls.receipt_rate),
            default_handle_time_s=_env_float("DEFAULT_HANDLE_TIME_S", cls.default_handle_time_s),
            replay_limit=_env_int("REPLAY_LIMIT", cls.replay_limit),
            consumers=tuple(c.strip() for c in _env("CONSUMERS", "").split(",") if c.strip()),
            feed_keep_days=_env_float("FEED_KEEP_DAYS", cls.feed_keep_days),
            check_frames=_env("CHECK_FRAMES", "") not in ("", "0"),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _rate(name: str, default: tuple[int, float]) -> tuple[int, float]:
    """Parse ``"<burst>/<seconds>"``: at most ``burst`` events per ``seconds`` window."""
    raw = _env(name, "")
    if not raw:
        return default
    burst, _, per = raw.partition("/")
    return int(burst), float(per)
