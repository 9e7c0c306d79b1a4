"""Measure a step in a fresh Python process: wall seconds and peak resident memory."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"

_WRAPPER = """
import json, resource, sys, time
started = time.perf_counter()
{body}
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("BENCH-RESULT " + json.dumps({{"seconds": seconds, "peak_mb": peak_mb, "extra": extra}}))
"""


def measure(body: str, env: dict[str, str] | None = None, timeout: float = 7200) -> dict[str, Any]:
    """Run ``body`` (Python code that sets ``extra`` to a JSON-able dict) in a fresh process.

    Returns seconds (timed inside the process, excluding interpreter start), peak_mb
    (ru_maxrss of that process: Python, DuckDB and Arrow memory together) and ``extra``.
    """
    code = _WRAPPER.format(body=textwrap.indent(textwrap.dedent(body), ""))
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return dict(json.loads(line.removeprefix("BENCH-RESULT ")))
    raise RuntimeError(
        f"benchmark step failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-5000:]}"
    )


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(
        json.dumps({"benchmark": name, "machine": machine(), **result}, indent=2) + "\n"
    )
    return path
