"""Backup of the platform and restore into an empty home: the same answers (query results,
API rows), the same users and tokens work, and refusals when the target is not empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.production.pgtools import database_env
from tests.testkit import TEST_ENV, bearer, clear_caches
from typer.testing import CliRunner

QUERIES = (
    "SELECT tahun, pos, sum(realisasi) AS r FROM mart_apbn_bulanan GROUP BY 1, 2 ORDER BY 1, 2",
    "SELECT count(*) AS n, sum(nilai) AS total FROM clean_span_sp2d",
    "SELECT kode_kppn, count(*) AS n FROM clean_span_sp2d GROUP BY 1 ORDER BY 1",
)


def use(monkeypatch: pytest.MonkeyPatch, home: Path, env: dict[str, str] | None = None) -> None:
    monkeypatch.setenv("TREASURY_HOME", str(home))
    monkeypatch.delenv("TREASURY_DATABASE_URL", raising=False)
    for key, value in {**TEST_ENV, **(env or {})}.items():
        monkeypatch.setenv(key, value)
    clear_caches()


def answers(tokens: dict[str, str]) -> dict[str, object]:
    """What the platform answers: queries, API rows of internal and restricted data."""
    from treasury.warehouse.query import run_query
    from treasury.web.app import create_app

    out: dict[str, object] = {q: run_query(q).to_pylist() for q in QUERIES}
    with TestClient(create_app()) as client:
        for who, slug in (("analis.surabaya", "sp2d-rincian"), ("analis.pusat", "kas-harian")):
            r = client.get(
                f"/api/v1/datasets/{slug}/rows", params={"limit": 50}, headers=bearer(tokens[who])
            )
            assert r.status_code == 200, r.text
            out[f"{who}:{slug}"] = r.json()["data"]
        login = client.post(
            "/login",
            data={"name": "steward", "password": "steward-demo-2024"},
            follow_redirects=False,
        )
        out["login"] = login.status_code
    return out


def test_backup_then_restore_into_an_empty_home_gives_the_same_answers(
    platform_home: Path,
    tokens: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from treasury.cli import app as cli

    runner = CliRunner()
    use(monkeypatch, platform_home, database_env(platform_home))
    before = answers(tokens)
    assert before["login"] == 303
    dest = tmp_path / "backup"
    done = runner.invoke(cli, ["backup", str(dest)])
    assert done.exit_code == 0, done.output
    assert (dest / "manifest.json").exists() and (dest / "database" / "users.jsonl").exists()
    dump = b"".join(p.read_bytes() for p in (dest / "database").glob("*.jsonl"))
    for token in tokens.values():
        assert token.encode() not in dump  # tokens travel as hashes only
    assert b"steward-demo-2024" not in dump

    again = runner.invoke(cli, ["backup", str(dest)])
    assert again.exit_code == 2 and "not empty" in " ".join(again.output.split())

    fresh = tmp_path / "restored-home"
    use(monkeypatch, fresh)
    restored = runner.invoke(cli, ["restore", str(dest)])
    assert restored.exit_code == 0, restored.output
    after = answers(tokens)
    assert after == before
    # the restored snapshot reads the restored lake, not the original one
    from treasury.warehouse.serving import open_snapshot

    con = open_snapshot()
    try:
        sql = " ".join(s for (s,) in con.execute("SELECT sql FROM duckdb_views()").fetchall())
    finally:
        con.close()
    assert str(fresh.resolve()) in sql and str(platform_home.resolve()) not in sql

    twice = runner.invoke(cli, ["restore", str(dest)])
    assert twice.exit_code == 2 and "not empty" in " ".join(twice.output.split())
    clear_caches()


def test_restore_refuses_a_folder_that_is_not_a_backup(home: Path, tmp_path: Path) -> None:
    from treasury.cli import app as cli

    result = CliRunner().invoke(cli, ["restore", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a backup" in " ".join(result.output.split())


def test_values_keep_their_types() -> None:
    import datetime as dt
    from decimal import Decimal

    from treasury.warehouse.backup import decode, encode

    values = [
        dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        dt.date(2026, 1, 2),
        b"\x00\xff",
        Decimal("1.10"),
        {"a": [1, "x"]},
        None,
        "teks",
    ]
    assert [decode(encode(v)) for v in values] == values
