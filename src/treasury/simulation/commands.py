"""``treasury simulate``: run an APBN scenario from a YAML file (or a preset) and print it."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)


class SimulationFormat(StrEnum):
    """How ``treasury simulate`` prints its result."""

    json = "json"
    table = "table"


def _fail(message: str, hint: str = "") -> typer.Exit:
    console.print(f"[bold red]Error:[/] {message}")
    if hint:
        console.print(f"[yellow]Next:[/] {hint}")
    return typer.Exit(code=2)


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(f"no file {path}", "give the path of a scenario YAML file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _fail(f"{path} is not a readable YAML file: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _fail(f"{path} must hold a mapping with tahun_dasar, asumsi, kebijakan, draws, seed")
    return data


def _table(result: dict[str, Any]) -> None:
    out = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"{result['nama']} (tahun dasar {result['tahun_dasar']}; Rp T, % PDB)")
    labels = {
        "tahun": "tahun",
        "pendapatan": "pendapatan",
        "belanja": "belanja",
        "defisit": "defisit",
        "defisit_pct_pdb": "def %PDB",
        "keseimbangan_primer": "primer",
        "pembiayaan": "pembiayaan",
        "utang_pct_pdb": "utang %PDB",
    }
    if result["draws"]:
        labels |= {
            "prob_defisit_di_atas_3pct": "P(def>3%)",
            "prob_utang_di_atas_60pct": "P(utang>60%)",
        }
    columns = list(labels)
    for c in columns:
        table.add_column(labels[c], justify="right")
    for row in result["tahun"]:
        table.add_row(*(f"{row[c]:,.2f}" if c != "tahun" else str(row[c]) for c in columns))
    out.print(table)
    for breach in result["aturan_fiskal"]["pelanggaran"]:
        out.print(f"[red]{breach['tahun']}: {breach['aturan']} ({breach['nilai']:.2f}%)[/]")


def register(app: typer.Typer) -> None:
    """Add ``treasury simulate`` to the CLI."""

    @app.command("simulate")
    def simulate_command(
        scenario: Annotated[
            Path | None, typer.Option("--scenario", help="scenario YAML (tahun_dasar, asumsi, ...)")
        ] = None,
        preset: Annotated[
            str | None, typer.Option("--preset", help="baseline or adverse instead of a file")
        ] = None,
        output: Annotated[
            SimulationFormat, typer.Option("--format", help="json (one object) or table")
        ] = SimulationFormat.table,
        xlsx: Annotated[Path | None, typer.Option("--xlsx", help="also write an XLSX file")] = None,
        save: Annotated[
            bool, typer.Option("--save", help="store the run in the app database")
        ] = False,
        sensitivity: Annotated[
            bool, typer.Option("--sensitivity", help="print the sensitivity table instead")
        ] = False,
    ) -> None:
        """Project the APBN for a scenario: deficit, financing, debt and the fiscal rules."""
        from treasury.simulation.assumptions import ScenarioError, default_base_year, parse_scenario
        from treasury.simulation.calibration import sensitivity_table
        from treasury.simulation.presets import preset as make_preset
        from treasury.simulation.simulate import simulate

        if sensitivity:
            sys.stdout.write(json.dumps(sensitivity_table(), ensure_ascii=False) + "\n")
            return
        if scenario is None and preset is None:
            raise _fail("give --scenario FILE.yaml or --preset baseline|adverse")
        if preset is not None:
            if preset not in ("baseline", "adverse"):
                raise _fail(f"unknown preset {preset!r}", "use baseline or adverse")
            raw = make_preset(preset, default_base_year())
        else:
            assert scenario is not None
            raw = _read_yaml(scenario)
        try:
            checked = parse_scenario(raw)
        except ScenarioError as exc:
            for error in exc.errors:
                console.print(f"[bold red]Error:[/] {error.field}: {error.message}")
            raise typer.Exit(code=2) from None
        if checked.draws:
            console.print(f"Monte Carlo: {checked.draws:,} draws, seed {checked.seed}")
        result = simulate(checked)
        if save:
            from treasury.config import get_settings
            from treasury.db import migrate
            from treasury.db.session import session_scope
            from treasury.simulation.store import save as store

            settings = get_settings()
            migrate(settings.app_database_url)
            with session_scope(settings.app_database_url) as session:
                result["id"] = store(session, raw, result, "cli")
        if xlsx is not None:
            from treasury.simulation.export import xlsx_bytes

            xlsx.write_bytes(xlsx_bytes([result]))
            console.print(f"wrote {xlsx}")
        if output is SimulationFormat.json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
        else:
            _table(result)
