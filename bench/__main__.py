"""Run benchmarks by name: ``python -m bench`` (all default ones) or ``python -m bench pipeline``."""

from __future__ import annotations

import argparse
import importlib

#: Each module offers ``run(args)``; a module not written yet is skipped with a note.
BENCHMARKS = {
    "pipeline": "bench.pipeline",
    "opendata": "bench.opendata",
    "dashboards": "bench.dashboards",
    "forecasting": "bench.forecasting",
    "ml": "bench.ml",
    "anomaly": "bench.anomaly",
    "simulation": "bench.simulation",
    "assistant": "bench.assistant",
    "ocr": "bench.ocr",
    "load": "bench.load",
    "stream": "bench.stream",
}


def main() -> None:
    """Parse the names and run each benchmark's ``run(args)``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)}")
    parser.add_argument("--scale", default="medium", help="synthetic data scale (default medium)")
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    for name in args.names or list(BENCHMARKS):
        try:
            module = importlib.import_module(BENCHMARKS[name])
        except ModuleNotFoundError as error:
            if error.name != BENCHMARKS[name]:
                raise
            print(f"bench: {name} is not written yet, skipped", flush=True)
            continue
        module.run(args)


if __name__ == "__main__":
    main()
