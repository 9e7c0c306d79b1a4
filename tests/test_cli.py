"""The real CLI end to end on tiny generated data (the `treasury` Typer app in-process)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from treasury.cli import app
from treasury.reference import apbn_annual

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    home = tmp_path_factory.mktemp("cli-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TREASURY_HOME", str(home))
        patch.setenv("TREASURY_AS_OF", "2026-11-23")
        from treasury.config import get_settings

        get_settings.cache_clear()
        result = runner.invoke(app, ["demo", "--scale", "tiny", "--no-serve", "--seed", "11"])
        assert result.exit_code == 0, result.output
        assert "analis.jatim" in result.output  # the demo prints its logins
        yield str(home)
        get_settings.cache_clear()


def audited(column: str) -> dict[int, float]:
    """The audited (else preliminary) APBN figure per year 2019-2024, in rupiah."""
    rows = apbn_annual().to_pylist()
    figures: dict[int, float] = {}
    for vintage in ("P", "A"):  # A overrides P
        for row in rows:
            if row["vintage"] == vintage and 2019 <= row["year"] <= 2024 and row[column]:
                figures[row["year"]] = float(row[column]) * 1e12
    return figures


@pytest.mark.parametrize("pos", ["belanja", "pendapatan"])
def test_query_matches_audited_apbn(
    demo_home: str, pos: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREASURY_HOME", demo_home)
    from treasury.config import get_settings

    get_settings.cache_clear()
    sql = (
        f"select tahun, sum(realisasi) as realisasi from mart_apbn_bulanan where pos='{pos}' "
        "group by 1 order by 1"
    )
    rows = {
        r["tahun"]: r["realisasi"] for r in json.loads(invoke("query", sql, "--format", "json"))
    }
    for year, target in audited(pos).items():
        assert rows[year] == pytest.approx(target, rel=0.005), year


def test_query_csv_and_refusal(demo_home: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREASURY_HOME", demo_home)
    from treasury.config import get_settings

    get_settings.cache_clear()
    text = invoke(
        "query", "select distinct pos from mart_apbn_bulanan order by 1", "--format", "csv"
    )
    assert list(csv.reader(io.StringIO(text))) == [
        ["pos"],
        ["belanja"],
        ["pembiayaan"],
        ["pendapatan"],
    ]
    refused = runner.invoke(app, ["query", "copy mart_apbn_bulanan to '/tmp/x.csv'"])
    assert refused.exit_code == 2
    assert "Error" in refused.output


def test_status_history_and_datasets(demo_home: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREASURY_HOME", demo_home)
    from treasury.config import get_settings

    get_settings.cache_clear()
    assert "succeeded" in invoke("pipeline", "status")
    assert "succeeded" in invoke("pipeline", "history")
    listing = invoke("datasets", "list")
    for name in ("span_sp2d", "mart_apbn_bulanan", "mart_sla_sp2d"):
        assert name in listing


def test_clear_errors_before_any_data(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREASURY_HOME", str(tmp_path / "empty"))
    from treasury.config import get_settings

    get_settings.cache_clear()
    result = runner.invoke(app, ["pipeline", "run"])
    assert result.exit_code == 2
    assert "treasury generate" in result.output
    result = runner.invoke(app, ["demo", "--scale", "huge", "--no-serve"])
    assert result.exit_code == 2
    assert "tiny, small, medium, large" in result.output
    get_settings.cache_clear()


def test_users_and_tokens(home, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import select

    from treasury.access import resolve_token
    from treasury.config import get_settings
    from treasury.db.access import User
    from treasury.db.session import session_scope

    refused = runner.invoke(app, ["users", "add", "budi", "--role", "analyst"])
    assert refused.exit_code == 2
    assert "--password-stdin" in refused.output
    added = runner.invoke(
        app,
        ["users", "add", "budi", "--role", "analyst", "--org", "kanwil:15", "--password-stdin"],
        input="rahasia-sekali-2024\n",
    )
    assert added.exit_code == 0, added.output
    bad_role = runner.invoke(
        app, ["users", "add", "sari", "--role", "boss", "--password-stdin"], input="x" * 12 + "\n"
    )
    assert bad_role.exit_code == 2
    token = runner.invoke(app, ["tokens", "create", "--user", "budi", "--days", "7"])
    assert token.exit_code == 0, token.output
    plain = token.stdout.strip().splitlines()[-1]
    assert plain.startswith("tbd_")
    with session_scope(get_settings().app_database_url) as session:
        user = session.scalar(select(User).where(User.name == "budi"))
        assert user is not None
        assert "rahasia-sekali-2024" not in user.password_hash
        principal = resolve_token(session, plain, "internet")
        assert principal is not None
        assert principal.user == "budi"
    unknown = runner.invoke(app, ["tokens", "create", "--user", "nobody"])
    assert unknown.exit_code == 2
