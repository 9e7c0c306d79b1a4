"""``treasury simulate --scenario FILE.yaml``: the contract keys, the table, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from treasury.cli import app

runner = CliRunner()

SCENARIO = """
tahun_dasar: 2026
asumsi:
  2026:
    pertumbuhan_ekonomi: 4.8
    kurs: 17200
    icp: 85
  2027:
    yield_sbn_10th: 7.8
kebijakan:
  harga_bbm_pct: 10
draws: 1000
seed: 3
"""
YEAR_KEYS = {
    "tahun",
    "pendapatan",
    "belanja",
    "defisit",
    "defisit_pct_pdb",
    "keseimbangan_primer",
    "pembiayaan",
    "utang_pct_pdb",
    "prob_defisit_di_atas_3pct",
    "prob_utang_di_atas_60pct",
}


def test_json_contract_from_a_yaml_file(home: Path) -> None:
    path = home / "scenario.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    result = runner.invoke(app, ["simulate", "--scenario", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["tahun_dasar"] == 2026 and data["draws"] == 1000 and data["seed"] == 3
    assert [y["tahun"] for y in data["tahun"]] == [2026, 2027, 2028, 2029, 2030]
    for row in data["tahun"]:
        assert set(row) >= YEAR_KEYS
        assert abs(row["defisit"] - (row["belanja"] - row["pendapatan"])) < 0.02
        assert abs(row["pembiayaan"] - row["defisit"]) < 0.02
        assert set(row["kuantil_defisit_pct_pdb"]) == {"p5", "p10", "p50", "p90", "p95"}
    # given values are used, years left out take the budget assumptions
    assert data["asumsi"]["2026"]["kurs"] == 17200
    assert data["asumsi"]["2027"]["yield_sbn_10th"] == 7.8
    assert data["asumsi"]["2028"]["kurs"] == 16500
    assert data["kebijakan"]["harga_bbm_pct"] == 10
    # a weaker rupiah and dearer oil than the budget widen the 2026 deficit (2.68% in the law)
    assert data["tahun"][0]["defisit_pct_pdb"] > 2.68
    again = runner.invoke(app, ["simulate", "--scenario", str(path), "--format", "json"])
    assert json.loads(again.stdout)["fan_chart"] == data["fan_chart"]


def test_without_draws_there_are_no_probabilities(home: Path) -> None:
    path = home / "plain.yaml"
    path.write_text("tahun_dasar: 2025\n", encoding="utf-8")
    result = runner.invoke(app, ["simulate", "--scenario", str(path), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["tahun"][0]["tahun"] == 2025
    assert "prob_defisit_di_atas_3pct" not in data["tahun"][0]
    assert data["tahun"][0]["defisit"] == 616.2  # the 2025 budget law


def test_table_format_and_xlsx(home: Path) -> None:
    path = home / "scenario.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    out = home / "hasil.xlsx"
    result = runner.invoke(app, ["simulate", "--scenario", str(path), "--xlsx", str(out)])
    assert result.exit_code == 0
    assert "2030" in result.stdout and "P(def>3%)" in result.stdout
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(out))
    assert {"ringkasan", "rincian", "fan_chart", "asumsi"} <= set(book.sheet_names)
    rows = book.get_sheet_by_name("ringkasan").to_python()
    assert rows[0][:3] == ["skenario", "tahun", "pdb_nominal"] and len(rows) == 6


def test_bad_input_exits_2_with_a_message_per_field(home: Path) -> None:
    path = home / "bad.yaml"
    path.write_text(
        "tahun_dasar: 2026\nasumsi:\n  2026: {kurs: 0, icp: -5, pertumbuhan_ekonomi: 21,"
        " lifting_minyak: -1, warna: 3}\n  2035: {inflasi: 3}\nfoo: 1\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["simulate", "--scenario", str(path), "--format", "json"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    for field in (
        "asumsi.2026.kurs",
        "asumsi.2026.icp",
        "asumsi.2026.pertumbuhan_ekonomi",
        "asumsi.2026.lifting_minyak",
        "asumsi.2026.warna",
        "asumsi.2035",
        "foo",
    ):
        assert field in text
    assert "greater than 0" in text and "-20% and +20%" in text and "cannot be negative" in text
    assert result.stdout.strip() == "" or not result.stdout.lstrip().startswith("{")
    missing = runner.invoke(app, ["simulate", "--scenario", str(home / "none.yaml")])
    assert missing.exit_code == 2 and "no file" in missing.output
    broken = home / "broken.yaml"
    broken.write_text("asumsi: [1, 2\n", encoding="utf-8")
    assert runner.invoke(app, ["simulate", "--scenario", str(broken)]).exit_code == 2
