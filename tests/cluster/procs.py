"""Private PostgreSQL, Redis and nginx processes, and Helpline nodes behind them.

The failure tests kill and restart these, so they never touch the machine's shared services:
each test cluster gets its own PostgreSQL data directory and Redis, on free loopback ports.
PostgreSQL refuses to run as root, so as root its commands run as the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.servers import FAST, REQUIRE_SERVICES, free_port

T = TypeVar("T")


def need(binary: str, what: str) -> str:
    path = shutil.which(binary) or next(iter(sorted(glob.glob(binary))), None)
    if path is None:
        message = f"the failure tests need {what} ({binary}); `make test` installs it"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    return path


def wait_until(check: Callable[[], object], timeout: float, what: str) -> None:
    wait_for(lambda: True if check() else None, timeout, what)


def wait_for(get: Callable[[], T | None], timeout: float, what: str) -> T:
    """The first value ``get`` returns other than None (exceptions count as "not yet")."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = get()
        except Exception:  # not up yet
            value = None
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Postgres:
    """A throwaway PostgreSQL cluster: ``start``, ``restart`` (fast shutdown), ``stop``."""

    def __init__(self, *, core: int | None = None) -> None:
        self.core = core  # pin the server to this CPU (benchmarks)
        self.bin = Path(need("/usr/lib/postgresql/*/bin/initdb", "PostgreSQL's server")).parent
        self.dir = Path(tempfile.mkdtemp(prefix="helpline-pg-"))
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin / tool), *args]
        if self.core is not None:
            cmd = ["taskset", "-c", str(self.core), *cmd]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, cwd=self.dir)

    def _ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            action,
            "-D",
            str(self.dir / "data"),
            "-w",
            "-t",
            "30",
            "-l",
            str(self.dir / "postgres.log"),
            "-o",
            options,
            *extra,
        )

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        try:
            self._ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """A throwaway Redis that keeps nothing on disk; ``restart`` kills it and starts a new one."""

    def __init__(self, workdir: Path, *, core: int | None = None) -> None:
        self.core = core
        self.binary = need("redis-server", "Redis")
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        cmd = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        cmd += ["--appendonly", "no", "--dir", str(self.workdir)]
        if self.core is not None:
            cmd = ["taskset", "-c", str(self.core), *cmd]
        assert self.proc is None, "redis is already running"
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: _port_open(self.port), 10, "redis")
        except BaseException:
            self.kill()
            raise

    def kill(self) -> None:
        if self.proc is not None:
            proc, self.proc = self.proc, None
            proc.kill()
            proc.wait(10)

    def restart(self, down_s: float = 1.0) -> None:
        self.kill()
        time.sleep(down_s)
        self.start()


def terminate(proc: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``grace_s``; always reaped, so no process outlives its test."""
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream helpline {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://helpline;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_read_timeout 120s;
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout http_502;
        }}
    }}
}}
"""


class Nginx:
    """nginx in front of the nodes: round robin, WebSocket upgrade, retry on refused connects."""

    def __init__(self, workdir: Path, node_ports: list[int]) -> None:
        self.binary = need("nginx", "nginx")
        self.dir = workdir / "nginx"
        self.dir.mkdir()
        self.port = free_port()
        servers = "\n".join(
            f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=1s;" for p in node_ports
        )
        conf = NGINX_CONF.format(dir=self.dir, servers=servers, port=self.port)
        (self.dir / "nginx.conf").write_text(conf)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        cmd = [self.binary, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: _port_open(self.port), 10, "nginx")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.proc is not None:
            proc, self.proc = self.proc, None
            terminate(proc)


@dataclass
class Node:
    """One Helpline server process; ``kill`` is ``kill -9``."""

    port: int
    env: dict[str, str]
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    log_paths: list[Path] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.proc is None, f"node on {self.port} is already running"
        self.starts += 1
        log = self.workdir / f"node-{self.port}-{self.starts}.log"
        self.log_paths.append(log)
        cmd = [sys.executable, "-m", "helpline", "serve", "--port", str(self.port), "--no-migrate"]
        cmd += ["--log-level", "warning", "--no-access-log"]
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=self.workdir
            )
        try:
            wait_until(self.ready, 60, f"node on {self.port}")  # slow on a loaded machine
        except BaseException:
            self.kill()
            raise

    def ready(self) -> bool:
        return httpx.get(self.base_url + "/readyz", timeout=1).status_code == 200

    def kill(self) -> None:
        assert self.proc is not None
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None:
            proc, self.proc = self.proc, None
            terminate(proc)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.log_paths if p.exists())


def node_env(db_url: str, redis_url: str, channel: str, extra: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        **FAST,
        "HELPLINE_DATABASE_URL": db_url,
        "HELPLINE_REDIS_URL": redis_url,
        "HELPLINE_REDIS_CHANNEL": channel,
        **extra,
    }
