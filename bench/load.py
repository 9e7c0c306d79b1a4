"""Load: 200 concurrent clients for 2 minutes on query, export and dashboard endpoints of a
multi-worker server while the pipeline publishes a new snapshot; zero errors expected.

``python -m bench load`` (full run) or ``python -m bench.load --duration 10 --clients 20
--scale tiny`` to try it. Writes ``bench/results/load.json`` (``load_<scale>_<duration>s.json``
for other settings): requests, errors, req/s, p50/p95/p99 latency overall and per endpoint,
and the snapshot before and after the swap.

The app database is PostgreSQL as in production when a server is given (``--database-server``
or ``TREASURY_TEST_DATABASE_URL``): a new database for the run, dropped at the end; SQLite
otherwise (every token request stamps ``last_used_at``, so SQLite's single writer becomes the
bottleneck under 200 clients).

The clients are asyncio tasks (httpx) in one process, each sending its next request as soon as
the previous answer is complete (a closed loop: the rate is what the server sustains). Every
client comes from 127.0.0.1, so the per-address rate limit is lifted for the server under test.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import write_result

WORKERS = 2
SLUG = "apbn-belanja-2024"
ENV = {
    "TREASURY_RATELIMIT_ADDRESS_PER_MINUTE": "100000000",
    "TREASURY_RATELIMIT_TOKEN_PER_MINUTE": "100000000",
    "TREASURY_ARGON2_MEMORY_KIB": "8192",
    "TREASURY_ARGON2_TIME_COST": "1",
}


def endpoints(token: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(name, method, path, request options) of the mix, in round-robin order."""
    auth = {"Authorization": f"Bearer {token}"}
    return [
        ("rows", "GET", f"/api/v1/datasets/{SLUG}/rows?limit=100", {}),
        (
            "sql",
            "POST",
            "/api/v1/sql",
            {"json": {"sql": "SELECT * FROM apbn_belanja_2024 LIMIT 100"}, "headers": auth},
        ),
        ("export_csv", "GET", f"/api/v1/datasets/{SLUG}/export.csv", {}),
        ("dashboard_page", "GET", "/dashboards/apbn", {"headers": auth}),
        ("dashboard_api", "GET", "/api/v1/dashboards/apbn", {"headers": auth}),
    ]


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(home: Path, scale: str, database_url: str = "") -> str:
    """Tiny..large synthetic sources through the pipeline, demo users; an analyst's token."""
    from treasury.access import create_token, seed_demo_users
    from treasury.config import Settings
    from treasury.db import migrate
    from treasury.db.session import session_scope
    from treasury.sources.generate import generate
    from treasury.warehouse.pipeline import run_pipeline

    settings = Settings(home=home, database_url=database_url, scale=scale)
    generate(settings.landing, scale=scale, seed=7, as_of=dt.date(2026, 11, 23))
    result = run_pipeline(settings)
    if result.status != "succeeded":
        raise RuntimeError(f"the pipeline failed: {result.message}")
    migrate(settings.app_database_url)
    with session_scope(settings.app_database_url) as session:
        seed_demo_users(session)
        token, _ = create_token(session, "analis.pusat", days=None)
    return token


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def _summary(latencies: list[float], seconds: float) -> dict[str, Any]:
    ms = [x * 1000 for x in latencies]
    return {
        "requests": len(ms),
        "req_per_s": round(len(ms) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(_percentile(ms, 50), 1),
        "p95_ms": round(_percentile(ms, 95), 1),
        "p99_ms": round(_percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else 0.0,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else 0.0,
    }


async def drive(url: str, token: str, clients: int, duration: float, swap: Any) -> dict[str, Any]:
    """Run the clients for ``duration`` seconds; ``swap()`` (a coroutine) runs meanwhile."""
    import httpx

    mix = endpoints(token)
    latencies: dict[str, list[float]] = {name: [] for name, *_ in mix}
    errors: list[str] = []
    stop = time.monotonic() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        swapped: asyncio.Task[dict[str, Any]]

        def going() -> bool:
            """Until the duration is over and the new snapshot is in (load during the swap)."""
            return time.monotonic() < stop or not swapped.done()

        async def one(offset: int) -> None:
            i = offset
            while going():
                name, method, path, options = mix[i % len(mix)]
                i += 1
                started = time.perf_counter()
                try:
                    r = await client.request(method, path, **options)
                    body = await r.aread()
                    if r.status_code != 200 or not body:
                        errors.append(f"{name}: {r.status_code} {body[:200]!r}")
                except httpx.HTTPError as error:
                    errors.append(f"{name}: {error!r}")
                latencies[name].append(time.perf_counter() - started)

        began = time.monotonic()
        swapped = asyncio.create_task(swap())
        await asyncio.gather(*(one(n) for n in range(clients)))
        seconds = time.monotonic() - began
        swap_result = await swapped
    every = [x for values in latencies.values() for x in values]
    return {
        **_summary(every, seconds),
        "errors": len(errors),
        "error_samples": errors[:10],
        "seconds": round(seconds, 1),
        "endpoints": {name: _summary(values, seconds) for name, values in latencies.items()},
        "swap": swap_result,
    }


def _database(server: str | None) -> str:
    """A new PostgreSQL database on ``server`` for the run (production's app database), or ""
    for SQLite in the home."""
    if not server:
        return ""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"tbd_load_{int(time.time())}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    if not url:
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from treasury.db.session import engine_for

    engine_for(url).dispose()
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def _server_errors(log: Path) -> list[str]:
    """The distinct exception lines the server logged (what the 5xx were)."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    found: dict[str, int] = {}
    for line in lines:
        if "died" in line or (
            not line.startswith((" ", "\t", "INFO", "Traceback"))
            and ("Error" in line or "Exception" in line)
        ):
            found[line[:300]] = found.get(line[:300], 0) + 1
    return [f"{n} x {line}" for line, n in sorted(found.items(), key=lambda x: -x[1])[:10]]


def measure(
    scale: str, clients: int, duration: float, workers: int = WORKERS, server: str | None = None
) -> dict[str, Any]:
    """Build a platform, serve it with ``workers`` workers, load it and swap the snapshot.

    ``server``: a PostgreSQL URL; the app database is then a new database there (dropped at
    the end), as in production; without it, SQLite in the home.
    """
    from treasury.config import Settings
    from treasury.warehouse.serving import current_snapshot

    folder = Path(tempfile.mkdtemp(prefix="treasury-load-"))
    home = folder / "home"
    database_url = _database(server)
    env = {**os.environ, **ENV, "TREASURY_HOME": str(home), "TREASURY_DATABASE_URL": database_url}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    os.environ.update(ENV)
    try:
        started = time.perf_counter()
        token = prepare(home, scale, database_url)
        build_seconds = time.perf_counter() - started
        settings = Settings(home=home, database_url="")
        port = _port()
        log = (folder / "serve.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "treasury.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url)
            before = current_snapshot(settings)

            async def swap() -> dict[str, Any]:
                await asyncio.sleep(min(10.0, duration / 4))
                t0 = time.perf_counter()
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "treasury.cli",
                    "pipeline",
                    "run",
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )
                _, stderr = await process.communicate()
                code = process.returncode
                after = current_snapshot(settings)
                return {
                    "pipeline_exit": code,
                    "pipeline_error": stderr.decode(errors="replace")[-2000:] if code else "",
                    "pipeline_seconds": round(time.perf_counter() - t0, 1),
                    "before": before.name if before else None,
                    "after": after.name if after else None,
                    "swapped": before != after,
                }

            result = asyncio.run(drive(url, token, clients, duration, swap))
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()
        return {
            "scale": scale,
            "clients": clients,
            "duration_s": duration,
            "workers": workers,
            "app_database": "postgresql" if database_url else "sqlite",
            "build_seconds": round(build_seconds, 1),
            # 1-minute load average at the end: other work on the machine slows the server.
            "machine_load_average": round(os.getloadavg()[0], 1),
            **result,
            "server_errors": _server_errors(folder / "serve.log"),
        }
    finally:
        _drop(database_url)
        if (folder / "serve.log").exists():  # kept for reading after the run
            shutil.copy(folder / "serve.log", Path(tempfile.gettempdir()) / "treasury-load.log")
        shutil.rmtree(folder, ignore_errors=True)


def _wait(url: str, seconds: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not become ready")


def run(args: argparse.Namespace) -> None:
    """Entry point of ``python -m bench load``: 200 clients, 2 minutes, scale small."""
    scale = getattr(args, "load_scale", None) or "small"
    clients = int(getattr(args, "clients", 200))
    duration = float(getattr(args, "duration", 120))
    server = getattr(args, "database_server", None) or os.environ.get("TREASURY_TEST_DATABASE_URL")
    result = measure(scale, clients, duration, server=server)
    name = "load" if (clients, duration) == (200, 120) else f"load_{scale}_{int(duration)}s"
    path = write_result(name, result)
    print(
        f"load: {result['requests']} requests, {result['errors']} errors, "
        f"{result['req_per_s']} req/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
        f"-> {path}",
        flush=True,
    )


def main() -> None:
    """``python -m bench.load [--duration S] [--clients N] [--scale S]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients")
    parser.add_argument("--scale", dest="load_scale", default="small", help="data scale")
    parser.add_argument(
        "--database-server",
        help="PostgreSQL URL for the app database (default TREASURY_TEST_DATABASE_URL; "
        "unset: SQLite)",
    )
    run(parser.parse_args())


if __name__ == "__main__":
    main()
