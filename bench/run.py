"""Run the benchmarks: Helpline and the reference relays, in the same run, on pinned cores.

    python -m bench.run --quick   # CI: under a minute; fails on any loss, duplicate or error
    python -m bench.run --full    # rising rates; writes bench/results/latest.json and docs/benchmarks.md

The server under test (and, for Helpline, its embedded SQLite database) is pinned to core 0 and
this load generator to core 1. Timings are reported, never asserted: they vary by machine. The
ratios to the reference relays measured here, now, are what to compare.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import uvloop

from bench import loadgen, scenarios
from bench.seed import Seeded, seed_sync

ROOT = Path(__file__).resolve().parent.parent
ADMIN = ("bench-admin@example.com", "Hx9-relay-quorum-44")
SERVER_CORE, LOADGEN_CORE = 0, 1
SATURATED_P99_MS = 2000.0
TARGET_P99_MS = 50.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > core:
        os.sched_setaffinity(0, {core})


class Proc:
    """A server process and its CPU time / memory as the kernel counts them."""

    def __init__(self, cmd: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: _pin(SERVER_CORE),
        )

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def _wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def _raise_open_files() -> None:
    """Idle hold needs more sockets than the usual 1,024 descriptors, on both ends."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextmanager
def helpline_server(
    workdir: Path,
    *,
    agents: int = 0,
    chats: int = 0,
    db_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[tuple[str, Proc, Seeded]]:
    db = db_url or f"sqlite+aiosqlite:///{workdir}/bench-{agents}-{chats}.db"
    env = {
        **os.environ,
        **(extra_env or {}),
        "HELPLINE_DATABASE_URL": db,
        "HELPLINE_VISITOR_MESSAGE_RATE": "1000000/1",
        "HELPLINE_CONVERSATION_RATE": "1000000/1",
        "HELPLINE_LOGIN_RATE": "1000000/1",
    }
    helpline = [sys.executable, "-m", "helpline"]
    subprocess.run([*helpline, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            *helpline,
            "user",
            "create",
            "--email",
            ADMIN[0],
            "--name",
            "Bench",
            "--role",
            "admin",
            "--password",
            ADMIN[1],
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    seeded = seed_sync(db, agents=agents, chats=chats) if agents else Seeded()
    port = _free_port()
    proc = Proc(
        [
            *helpline,
            "serve",
            "--port",
            str(port),
            "--no-migrate",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env,
        workdir / "helpline.log",
    )
    try:
        _wait_port(port)
        yield f"http://127.0.0.1:{port}", proc, seeded
    finally:
        proc.stop()


@contextmanager
def postgres_and_redis(workdir: Path) -> Iterator[tuple[str, str] | None]:
    """A private PostgreSQL and Redis pinned to the server's core (the failure tests' helpers),
    or None where their binaries are missing."""
    try:
        from tests.cluster.procs import Postgres, Redis

        pg = Postgres(core=SERVER_CORE)
    except BaseException as exc:  # pytest's skip is a BaseException
        print(f"skipping PostgreSQL + Redis: {exc}", file=sys.stderr)
        yield None
        return
    redis = Redis(workdir, core=SERVER_CORE)
    try:
        pg.start()
        redis.start()
        yield pg.url, redis.url
    finally:
        redis.kill()
        pg.stop()


@contextmanager
def reference(module: str, workdir: Path) -> Iterator[tuple[str, Proc]]:
    port = _free_port()
    proc = Proc(
        [sys.executable, "-m", f"bench.{module}", str(port)],
        dict(os.environ),
        workdir / f"{module}.log",
    )
    try:
        _wait_port(port)
        yield f"ws://127.0.0.1:{port}", proc
    finally:
        proc.stop()


async def _measure(proc: Proc, seconds: float, scenario: Any) -> dict[str, Any]:
    cpu0, t0 = proc.cpu_s(), time.perf_counter()
    result = await scenario
    elapsed = time.perf_counter() - t0
    return {
        "result": result,
        "server_cpu_pct": round(100 * (proc.cpu_s() - cpu0) / elapsed, 1),
        "server_rss_mib": round(proc.rss_kib() / 1024, 1),
        "window_s": round(elapsed, 1),
        "send_s": seconds,
    }


async def _relay_rates(
    url: str, proc: Proc, rates: list[int], seconds: float, pairs: int
) -> dict[str, Any]:
    return {
        str(r): await _measure(proc, seconds, loadgen.relay_chat(url, pairs, r, seconds))
        for r in rates
    }


async def _helpline_rates(
    base: str, proc: Proc, rates: list[int], seconds: float, pairs: int
) -> dict[str, Any]:
    """Rising rates until the server saturates (agent p99 over 2 s): later rates would only
    measure the backlog."""
    chats = await loadgen.setup_helpline(base, ADMIN, pairs, watcher=True)
    out: dict[str, Any] = {}
    try:
        for r in rates:
            before = chats.resumes
            m = await _measure(proc, seconds, loadgen.helpline_chat(chats, r, seconds, f"r{r}-"))
            m["staff_resumes"] = chats.resumes - before
            out[str(r)] = m
            if m["result"]["agent"]["p99_ms"] > SATURATED_P99_MS:
                break
        return out
    finally:
        await chats.close()


@dataclass(frozen=True)
class Plan:
    rates: list[int]
    seconds: float
    pairs: int
    idle_agents: int
    idle_visitors: int
    idle_window_s: float
    storm_clients: int
    storm_spread_s: float
    waiting_chats: int
    pg_rates: list[int]


QUICK = Plan([300], 2.0, 20, 25, 300, 2.0, 200, 2.0, 1000, [100])
FULL = Plan(
    [250, 500, 1000, 2000, 3000, 4000],
    8.0,
    50,
    500,
    10_000,
    10.0,
    2000,
    10.0,
    5000,
    [250, 500, 1000, 2000],
)


def run(plan: Plan) -> dict[str, Any]:
    _pin(LOADGEN_CORE)
    # The load generator's own full garbage collections would pause every simulated client at
    # once (up to 300 ms with 2,000 of them) and be counted as server latency: keep what exists
    # now out of the full passes and collect young objects rarely.
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    _raise_open_files()
    out: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "plan": asdict(plan),
        "pairs": plan.pairs,
        "send_seconds": plan.seconds,
        "scenarios": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name in ("relay_websockets", "relay_asgi"):
            with reference(name, workdir) as (url, proc):
                out["scenarios"][name] = uvloop.run(
                    _relay_rates(url, proc, plan.rates, plan.seconds, plan.pairs)
                )
                idle = uvloop.run(
                    scenarios.relay_idle(
                        url, proc, plan.idle_visitors + plan.idle_agents, plan.idle_window_s
                    )
                )
                out.setdefault("idle", {})[name] = idle
        with helpline_server(workdir) as (base, proc, _):
            out["scenarios"]["helpline"] = uvloop.run(
                _helpline_rates(base, proc, plan.rates, plan.seconds, plan.pairs)
            )
        with postgres_and_redis(workdir) as services:
            if services is not None:
                db_url, redis_url = services
                with helpline_server(
                    workdir, db_url=db_url, extra_env={"HELPLINE_REDIS_URL": redis_url}
                ) as (base, proc, _):
                    out["scenarios"]["helpline_pg_redis"] = uvloop.run(
                        _helpline_rates(base, proc, plan.pg_rates, plan.seconds, plan.pairs)
                    )
        with helpline_server(workdir, agents=plan.idle_agents, chats=plan.idle_visitors) as (
            base,
            proc,
            seeded,
        ):
            ws_url = base.replace("http", "ws") + "/ws"
            out.setdefault("idle", {})["helpline"] = uvloop.run(
                scenarios.idle_hold(ws_url, seeded, proc, plan.idle_window_s)
            )
            out["storm"] = uvloop.run(
                scenarios.reconnect_storm(ws_url, seeded, plan.storm_clients, plan.storm_spread_s)
            )
    out["assignment"] = scenarios.assignment(1000, plan.waiting_chats)
    return out


def failures(results: dict[str, Any]) -> list[str]:
    problems = []
    for name, by_rate in results["scenarios"].items():
        for rate, m in by_rate.items():
            groups = m["result"] if name.startswith("helpline") else {"peer": m["result"]}
            for who, r in groups.items():
                if who == "visitor_ack":
                    continue
                for key in ("unacked", "lost", "duplicates", "errors"):
                    if r[key]:
                        problems.append(f"{name} @ {rate}/s, {who}: {key}={r[key]}")
    for name, idle in results["idle"].items():
        if idle["still_open"] != idle["connections"]:
            problems.append(
                f"idle hold on {name}: {idle['connections'] - idle['still_open']} closed"
            )
    storm = results["storm"]
    for key in ("lost", "duplicates", "errors"):
        if storm[key]:
            problems.append(f"reconnect storm: {key}={storm[key]}")
    if storm["acked"] != storm["missed_events"]:
        problems.append(f"reconnect storm: {storm['acked']} of {storm['missed_events']} acked")
    return problems


def table(results: dict[str, Any]) -> str:
    rows = [
        "| rate (msg/s) | server | recipient | delivered | lost | dup | p50 ms | p99 ms | max ms | server CPU % | RSS MiB | p99 vs websockets relay | p99 vs ASGI relay |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    ref_ws, ref_asgi = results["scenarios"]["relay_websockets"], results["scenarios"]["relay_asgi"]
    for name, by_rate in results["scenarios"].items():
        for rate, m in by_rate.items():
            groups = m["result"] if name.startswith("helpline") else {"peer": m["result"]}
            for who, r in groups.items():
                if who == "visitor_ack":
                    who = "sender's ack"
                ratio_ws = _ratio(
                    r["p99_ms"], ref_ws.get(rate, {}).get("result", {}).get("p99_ms", 0)
                )
                ratio_asgi = _ratio(
                    r["p99_ms"], ref_asgi.get(rate, {}).get("result", {}).get("p99_ms", 0)
                )
                rows.append(
                    f"| {rate} | {name} | {who} | {r['delivered']} | {r['lost']} | {r['duplicates']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {m['server_cpu_pct']} | {m['server_rss_mib']} | {ratio_ws} | {ratio_asgi} |"
                )
    return "\n".join(rows)


def sustained(by_rate: dict[str, Any]) -> int:
    """The highest rate at which every recipient saw p99 <= 50 ms and nothing was lost."""
    best = 0
    for rate, m in by_rate.items():
        groups = m["result"] if "agent" in m["result"] else {"peer": m["result"]}
        if all(g["p99_ms"] <= TARGET_P99_MS and not g["lost"] for g in groups.values()):
            best = max(best, int(rate))
    return best


def other_tables(results: dict[str, Any]) -> str:
    rows = ["**Highest rate with p99 <= 50 ms and no loss** (of the rates tried):", ""]
    rows += [
        f"- {name}: {sustained(by_rate)} messages/s"
        for name, by_rate in results["scenarios"].items()
    ]
    rows.append("")
    idle = results["idle"]
    ref_ws, ref_asgi = idle["relay_websockets"], idle["relay_asgi"]
    rows += [
        "**Idle hold** (connected and subscribed; clients ping every 25 s like the web clients):",
        "",
        "| server | connections | KiB per connection | idle CPU % | RSS MiB | memory vs websockets relay | memory vs ASGI relay |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in idle.items():
        rows.append(
            f"| {name} | {r['connections']} | {r['kib_per_connection']} | {r['idle_cpu_pct']} | {r['server_rss_mib']} | {_ratio(r['kib_per_connection'], ref_ws['kib_per_connection'])} | {_ratio(r['kib_per_connection'], ref_asgi['kib_per_connection'])} |"
        )
    s = results["storm"]
    rows += [
        "",
        f"**Reconnect storm:** {s['clients']} visitors resume within {s['spread_s']} s, each having missed 2 events: "
        f"{s['missed_events'] - s['lost']} of {s['missed_events']} delivered, lost {s['lost']}, duplicates {s['duplicates']}, "
        f"errors {s['errors']}; connect-to-subscribed p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, max {s['max_ms']} ms.",
    ]
    a = results["assignment"]
    rows += [
        "",
        f"**Assignment decision** (selection plus load update, in process): {a['agents']} agents online, "
        f"{a['waiting']} chats waiting, {a['assigned']} assigned; p50 {a['p50_ms']} ms, p99 {a['p99_ms']} ms, max {a['max_ms']} ms.",
    ]
    return "\n".join(rows)


def _ratio(mine: float, ref: float) -> str:
    return f"{mine / ref:.1f}x" if ref else "n/a"


def write_docs(results: dict[str, Any]) -> None:
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    page = ROOT / "docs" / "benchmarks.md"
    text = page.read_text()
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    body = f"{start}\nMeasured {results['when']} on {results['machine']['cpus']} CPUs, Python {results['machine']['python']}; {results['pairs']} chat pairs, {results['send_seconds']} s per rate.\n\n{table(results)}\n\n{other_tables(results)}\n{end}"
    page.write_text(head + body + tail)


def main() -> None:
    parser = argparse.ArgumentParser()
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--quick", action="store_true", help="CI: two rates, fails on loss/dup/errors"
    )
    mode.add_argument(
        "--full", action="store_true", help="rising rates; updates docs/benchmarks.md"
    )
    args = parser.parse_args()
    if shutil.which("taskset") is None and not hasattr(os, "sched_setaffinity"):
        print("warning: cannot pin cores on this platform", file=sys.stderr)
    results = run(QUICK if args.quick else FULL)
    if args.full:
        write_docs(results)
    print(table(results))
    print()
    print(other_tables(results))
    problems = failures(results)
    if problems:
        print("\nFAILED: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)
    print("\nno loss, no duplicates, no errors")


if __name__ == "__main__":
    main()
