"""Dashboards benchmark: server render time per page, and the browser's time to first figure.

Over the platform of a scale (``.treasury-bench/<scale>``: extracts generated and the pipeline
run if missing, demo users seeded), as user ``analis.pusat``:

- server render: each page under several filter sets through the real app in-process
  (FastAPI TestClient, so no network in the number): *cold* (the dashboard result cache
  cleared before each request: every mart query runs through the Reader) and *warm* (the same
  URL again); p50/p95 per page against the 300 ms p95 target;
- browser: Debian's Chromium (Playwright) against the app under uvicorn on loopback: time from
  navigation start to the first figure drawn and to all figures drawn, with a cold HTTP cache
  (first load: plotly.js, 4.6 MB, downloaded and compiled) and a warm one (median of 2 more
  loads), and when the HTML and plotly.js arrived.

Writes ``bench/results/dashboards_<scale>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.harness import measure, write_result
from bench.pipeline import AS_OF, bench_home, ensure_sources

PAGES = {
    "apbn": ["/dashboards/apbn", "/dashboards/apbn?year=2023", "/dashboards/apbn?year=2024&month_to=6",
             "/dashboards/apbn?year=2023&province=35", "/dashboards/apbn?year=2025&ministry=015",
             "/dashboards/apbn?year=2022&province=31&kabkota=3171"],
    "subsidies": ["/dashboards/subsidies", "/dashboards/subsidies?year=2023",
                  "/dashboards/subsidies?year=2024&province=35", "/dashboards/subsidies?year=2022&month_to=6"],
    "expenditure": ["/analytics/expenditure", "/analytics/expenditure?year=2023",
                    "/analytics/expenditure?year=2024&province=35", "/analytics/expenditure?year=2025&ministry=015"],
    "cash": ["/analytics/cash", "/analytics/cash?year=2023", "/analytics/cash?year=2024&month_to=6"],
    "investment": ["/analytics/investment", "/analytics/investment?year=2023", "/analytics/investment?year=2021"],
    "region": ["/regions/35", "/regions/35?year=2023", "/regions/31?year=2024", "/regions/91?year=2022"],
    "kppn": ["/regions/kppn/086", "/regions/kppn/086?year=2023", "/regions/kppn/019?year=2024"],
}  # fmt: skip
TARGETS = {"server_p95_ms_max": 300, "first_figure_ms_max": 2000}
#: Browser timings, milliseconds from navigation start.
TIMINGS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const js = performance.getEntriesByType("resource").find(e => e.name.includes("plotly.min.js"));
  return {
    first_figure_ms: Math.round(window.__firstFigureMs),
    all_figures_ms: Math.round(window.__allFiguresMs || performance.now()),
    html_received_ms: Math.round(nav.responseEnd),
    plotly_js_loaded_ms: js ? Math.round(js.responseEnd) : null,
    dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd),
  };
}"""
USER = "analis.pusat"
NO_RATE_LIMIT = {
    "TREASURY_RATELIMIT_ADDRESS_PER_MINUTE": "100000000",
    "TREASURY_RATELIMIT_TOKEN_PER_MINUTE": "100000000",
}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


def _prepare(home: Path, scale: str) -> dict[str, Any]:
    env = {"TREASURY_HOME": str(home), "TREASURY_AS_OF": AS_OF}
    built = None
    if not (home / "serving" / "CURRENT").exists():
        ensure_sources(home, scale)
        built = measure(
            """
            from treasury.config import get_settings
            from treasury.warehouse.pipeline import run_pipeline
            result = run_pipeline(get_settings())
            extra = {"status": result.status}
            """,
            env=env,
        )
    measure(
        """
        from treasury.access import get_user, seed_demo_users
        from treasury.config import get_settings
        from treasury.db import migrate
        from treasury.db.session import session_scope
        settings = get_settings()
        migrate(settings.app_database_url)
        with session_scope(settings.app_database_url) as session:
            if get_user(session, "analis.pusat") is None:
                seed_demo_users(session)
        extra = {}
        """,
        env=env,
    )
    return {"pipeline": built}


def _server(home: Path, rounds: int) -> dict[str, Any]:
    body = f"""
    import time, statistics
    from fastapi.testclient import TestClient
    from treasury.access.http import SESSION_COOKIE, sign_session
    from treasury.dashboards.source import clear_cache
    from treasury.web.app import create_app
    pages = {PAGES!r}
    out = {{}}
    with TestClient(create_app()) as client:
        client.cookies.set(SESSION_COOKIE, sign_session({USER!r}))
        client.get("/dashboards/apbn")  # imports, reader connection, catalog
        for name, urls in pages.items():
            cold, warm = [], []
            for _ in range({rounds}):
                for url in urls:
                    clear_cache()
                    t = time.perf_counter(); r = client.get(url); cold.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, (url, r.status_code, r.text[-500:])
                    t = time.perf_counter(); r = client.get(url); warm.append((time.perf_counter() - t) * 1000)
            out[name] = {{"cold": cold, "warm": warm, "bytes": len(r.content)}}
    extra = out
    """
    raw = measure(body, env={"TREASURY_HOME": str(home), **NO_RATE_LIMIT})["extra"]
    result = {}
    for name, series in raw.items():
        result[name] = {
            "requests": len(series["cold"]),
            "cold_p50_ms": _pct(series["cold"], 0.5),
            "cold_p95_ms": _pct(series["cold"], 0.95),
            "warm_p50_ms": _pct(series["warm"], 0.5),
            "warm_p95_ms": _pct(series["warm"], 0.95),
            "html_bytes": series["bytes"],
        }
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _browser(home: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {
        **os.environ,
        "TREASURY_HOME": str(home),
        "TREASURY_RATELIMIT_ADDRESS_PER_MINUTE": "100000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "treasury.web.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        cookie = json.loads(
            subprocess.run(
                [sys.executable, "-c", "import json; from treasury.access.http import sign_session; "
                 f"print(json.dumps(sign_session({USER!r})))"],
                env=env, capture_output=True, text=True, check=True,
            ).stdout
        )  # fmt: skip
        out: dict[str, Any] = {}
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            for name, urls in PAGES.items():
                # one browser context per page: the first load has a cold HTTP cache (plotly.js
                # downloaded and compiled), the next ones a warm cache, as a user's later pages
                context = chromium.new_context(viewport={"width": 1280, "height": 900})
                context.add_cookies([{"name": "tbd_session", "value": cookie, "url": url}])
                loads = []
                for _ in range(3):
                    page = context.new_page()
                    page.goto(url + urls[0])
                    page.wait_for_selector("body[data-figures-drawn]", timeout=60_000)
                    loads.append(page.evaluate(TIMINGS))
                    page.close()
                context.close()
                cold, warm = loads[0], loads[1:]
                out[name] = {
                    "url": urls[0],
                    "cold_cache": cold,
                    "warm_cache_first_figure_ms": round(
                        statistics.median(w["first_figure_ms"] for w in warm), 1
                    ),
                    "warm_cache_all_figures_ms": round(
                        statistics.median(w["all_figures_ms"] for w in warm), 1
                    ),
                }
            chromium.close()
        return out
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(args: argparse.Namespace) -> None:
    """Run the dashboards benchmark at ``args.scale`` and write its JSON result."""
    scale = args.scale
    home = bench_home(scale)
    prepared = _prepare(home, scale)
    print(f"dashboards: platform ready at {home}", flush=True)
    server = _server(home, rounds=int(os.environ.get("DASH_BENCH_ROUNDS", "3")))
    print(f"dashboards: server {json.dumps(server)}", flush=True)
    browser = _browser(home)
    print(f"dashboards: browser {json.dumps(browser)}", flush=True)
    worst_cold = max(v["cold_p95_ms"] for v in server.values())
    worst_warm = max(v["warm_p95_ms"] for v in server.values())
    worst_first = max(v["warm_cache_first_figure_ms"] for v in browser.values())
    worst_first_cold = max(v["cold_cache"]["first_figure_ms"] for v in browser.values())
    path = write_result(
        f"dashboards_{scale}",
        {
            "scale": scale,
            "targets": TARGETS,
            "platform_build": prepared["pipeline"],
            "server_render_ms": server,
            "browser": browser,
            "summary": {
                "worst_cold_p95_ms": worst_cold,
                "worst_warm_p95_ms": worst_warm,
                "worst_first_figure_ms_warm_cache": worst_first,
                "worst_first_figure_ms_cold_cache": worst_first_cold,
                "cold_meets_target": worst_cold <= TARGETS["server_p95_ms_max"],
                "warm_meets_target": worst_warm <= TARGETS["server_p95_ms_max"],
                "first_figure_meets_target": worst_first <= TARGETS["first_figure_ms_max"],
            },
        },
    )
    print(f"dashboards: wrote {path}", flush=True)


if __name__ == "__main__":
    run(argparse.Namespace(scale="small"))
