"""Load: 200 concurrent clients for 2 minutes on query, export and dashboard endpoints of a
multi-worker server while the pipeline publishes a new snapshot; zero errors expected.

``python -m bench load`` (full run) or ``python -m bench.load --duration 10 --clients 20
--scale tiny`` to try it. Writes ``bench/results/load.json`` (``load_<scale>_<duration>s.json``
for other settings): requests, errors, req/s, p50/p95/p99 latency overall and per endpoint,
and the snapshot before and after the swap.

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


def prepare(home: Path, scale: str) -> str:
    """Tiny..large synthetic sources through the pipeline, demo users; an analyst's token."""
    from treasury.access import create_token, seed_demo_users
    from treasury.config import Settings
    from treasury.db import migrate
    from treasury.db.session import session_scope
    from treasury.sources.generate import generate
    from treasury.warehouse.pipeline import run_pipeline

    settings = Settings(home=home, database_url="", scale=scale)
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


def measure(scale: str, clients: int, duration: float, workers: int = WORKERS) -> dict[str, Any]:
    """Build a platform, serve it with ``workers`` workers, load it and swap the snapshot."""
    from treasury.config import Settings
    from treasury.warehouse.serving import current_snapshot

    folder = Path(tempfile.mkdtemp(prefix="treasury-load-"))
    home = folder / "home"
    env = {**os.environ, **ENV, "TREASURY_HOME": str(home)}
    env.pop("TREASURY_DATABASE_URL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    os.environ.update(ENV)
    try:
        started = time.perf_counter()
        token = prepare(home, scale)
        build_seconds = time.perf_counter() - started
        settings = Settings(home=home, database_url="")
        port = _port()
        log = (folder / "serve.log").open("wb")
        server = subprocess.Popen(
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
                    stderr=asyncio.subprocess.DEVNULL,
                )
                code = await process.wait()
                after = current_snapshot(settings)
                return {
                    "pipeline_exit": code,
                    "pipeline_seconds": round(time.perf_counter() - t0, 1),
                    "before": before.name if before else None,
                    "after": after.name if after else None,
                    "swapped": before != after,
                }

            result = asyncio.run(drive(url, token, clients, duration, swap))
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        return {
            "scale": scale,
            "clients": clients,
            "duration_s": duration,
            "workers": workers,
            "build_seconds": round(build_seconds, 1),
            **result,
        }
    finally:
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
    result = measure(scale, clients, duration)
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
    run(parser.parse_args())


if __name__ == "__main__":
    main()
