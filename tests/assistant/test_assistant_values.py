"""Data assistant answers equal plain SQL on the marts, and refuses or asks back when it should.

The evaluation set ``data/data_questions.jsonl`` stores each question with the SQL that gives its
expected value, written directly on the mart tables (not by the assistant's generator); the
expected values are computed here from the serving snapshot.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest

from treasury.access import Principal
from treasury.assistant.databot import DataAssistant
from treasury.config import Settings
from treasury.warehouse.reader import Reader

QUESTIONS = Path(__file__).parent / "data" / "data_questions.jsonl"


def load_questions() -> list[dict[str, str]]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def bot(od_settings: Settings) -> DataAssistant:
    return DataAssistant(Reader(od_settings))


def expected(snapshot: duckdb.DuckDBPyConnection, sql: str) -> float | None:
    value = snapshot.execute(sql).fetchall()[0][0]
    return None if value is None else float(value)


def test_evaluation_set_is_large_and_covers_every_intent() -> None:
    rows = load_questions()
    assert len(rows) >= 150
    intents = {r["intent"] for r in rows}
    assert intents >= {"belanja", "pagu", "penyerapan", "penerimaan", "tkd", "subsidi", "sla",
                       "compare", "top", "breakdown"}  # fmt: skip
    assert all(r["sql"].lower().count("mart_") >= 1 for r in rows)
    assert sum(any(w in r["question"].lower() for w in ("what", "how", "compare", "top", "in "))
               for r in rows) >= 20  # English phrasings too  # fmt: skip


def test_values_equal_sql_on_the_marts(
    bot: DataAssistant, principals: dict[str, Principal], snapshot: duckdb.DuckDBPyConnection
) -> None:
    rows = load_questions()
    wrong = []
    for row in rows:
        want = expected(snapshot, row["sql"])
        got = bot.ask(principals["analis.pusat"], row["question"])
        right = (
            want is not None
            and got.value is not None
            and math.isclose(got.value, want, rel_tol=1e-9, abs_tol=1e-6)
            and got.unit == row["unit"]
        )
        if not right:
            wrong.append((row["question"], want, got.value, got.answer))
    share = 1 - len(wrong) / len(rows)
    assert share >= 0.95, wrong[:10]


def test_answer_sentence_table_and_sql(
    bot: DataAssistant, principals: dict[str, Principal], snapshot: duckdb.DuckDBPyConnection
) -> None:
    answer = bot.ask(
        principals["analis.pusat"], "berapa realisasi belanja modal Jawa Timur tahun 2023?"
    )
    want = expected(
        snapshot,
        "SELECT SUM(realisasi) FROM mart_belanja_satker_bulanan "
        "WHERE tahun = 2023 AND jenis_belanja = '53' AND kode_provinsi = '35'",
    )
    assert answer.value == want and answer.unit == "rupiah"
    assert answer.rows == [{"tahun": 2023, "nilai": want}]
    assert "Rp " in answer.answer and " T" in answer.answer and "Jawa Timur" in answer.answer
    assert answer.sql is not None and "belanja_satker_bulanan" in answer.sql


def test_comparison_reports_both_periods_and_the_change(
    bot: DataAssistant, principals: dict[str, Principal], snapshot: duckdb.DuckDBPyConnection
) -> None:
    answer = bot.ask(
        principals["analis.pusat"], "bandingkan penerimaan pajak Januari-Juni 2024 dengan 2023"
    )
    sql = (
        "SELECT SUM(realisasi) FROM mart_penerimaan_harian WHERE year(tanggal) = {y} "
        "AND kelompok = 'perpajakan' AND month(tanggal) <= 6"
    )
    a, b = expected(snapshot, sql.format(y=2024)), expected(snapshot, sql.format(y=2023))
    assert a is not None and b is not None
    assert answer.value == a
    assert [r["tahun"] for r in answer.rows] == [2024, 2023]
    assert answer.rows[0]["perubahan_persen"] == round(100 * (a - b) / b, 2)
    assert ("naik" if a >= b else "turun") in answer.answer


def test_ranking_rows_are_ordered(bot: DataAssistant, principals: dict[str, Principal]) -> None:
    answer = bot.ask(
        principals["analis.pusat"],
        "10 satker dengan penyerapan terendah di KPPN Denpasar tahun 2024",
    )
    values = [r["nilai"] for r in answer.rows]
    assert 1 <= len(values) <= 10 and values == sorted(values)
    assert answer.unit == "percent" and answer.value == values[0]
    assert all(r["nama"] and r["nama"] != r["kunci"] for r in answer.rows)  # from daftar-satker
    assert "daftar_satker" in (answer.sql or "")


def test_english_answer(bot: DataAssistant, principals: dict[str, Principal]) -> None:
    answer = bot.ask(principals["analis.pusat"], "capital spending in East Java in 2023", lang="en")
    assert (
        answer.answer.startswith("Capital spending in Jawa Timur") and " was Rp " in answer.answer
    )


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("realisasi belanja jatim", "tahun berapa"),
        ("berapa Jawa Timur 2023?", "Data apa"),
        ("belanja KPPN Surabaya 2023", "KPPN Surabaya I"),
        ("bandingkan penerimaan pajak 2024", "dua tahun"),
        ("penerimaan pajak KPPN Denpasar 2023", "per provinsi"),
    ],
)
def test_clarifying_questions_have_no_value(
    bot: DataAssistant, principals: dict[str, Principal], question: str, needle: str
) -> None:
    answer = bot.ask(principals["analis.pusat"], question)
    assert answer.value is None and answer.sql is None and answer.kind == "clarify"
    assert needle in answer.answer


@pytest.mark.parametrize(
    "question", ["resep rendang padang", "siapa presiden pertama indonesia", "hello there"]
)
def test_out_of_scope_is_refused_politely(
    bot: DataAssistant, principals: dict[str, Principal], question: str
) -> None:
    answer = bot.ask(principals["analis.pusat"], question)
    assert answer.value is None and answer.kind == "refuse" and answer.answer.startswith("Maaf")


def test_monthly_breakdown_adds_up_to_the_year(
    bot: DataAssistant, principals: dict[str, Principal], snapshot: duckdb.DuckDBPyConnection
) -> None:
    answer = bot.ask(principals["analis.pusat"], "penerimaan pajak per bulan 2024")
    assert [r["kunci"] for r in answer.rows] == list(range(1, 13))
    assert answer.rows[0]["nama"] == "Januari"
    total = expected(
        snapshot,
        "SELECT SUM(realisasi) FROM mart_penerimaan_harian "
        "WHERE year(tanggal) = 2024 AND kelompok = 'perpajakan'",
    )
    assert math.isclose(sum(r["nilai"] for r in answer.rows), total or 0, rel_tol=1e-12)
