"""Scenario input: budget defaults, presets, and one clear message per bad field."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treasury.simulation.assumptions import ASUMSI, ScenarioError, parse_scenario
from treasury.simulation.presets import preset


def test_years_left_out_take_the_budget_assumptions() -> None:
    s = parse_scenario({"tahun_dasar": 2025, "asumsi": {"2026": {"icp": 90}}})
    assert s.years == [2025, 2026, 2027, 2028, 2029]
    assert s.asumsi[2025]["kurs"] == 16000 and s.asumsi[2025]["icp"] == 82  # APBN 2025
    assert s.asumsi[2026]["icp"] == 90 and s.asumsi[2026]["kurs"] == 16500
    assert s.asumsi[2026]["yield_sbn_10th"] == 7.0  # 2026 has none: the 2025 value
    assert s.draws == 0 and s.jenis == "custom"


def test_adverse_preset_is_worse_than_baseline() -> None:
    from treasury.simulation.simulate import simulate

    base = simulate(parse_scenario(preset("baseline", 2026, draws=0)))
    adverse = simulate(parse_scenario(preset("adverse", 2026, draws=0)))
    assert adverse["jenis"] == "adverse"
    for b, a in zip(base["tahun"], adverse["tahun"], strict=True):
        assert a["defisit_pct_pdb"] > b["defisit_pct_pdb"]
        assert a["utang_pct_pdb"] > b["utang_pct_pdb"]
    assert base["aturan_fiskal"]["pelanggaran"] == []
    breaches = adverse["aturan_fiskal"]["pelanggaran"]
    assert [b["tahun"] for b in breaches] == list(range(2026, 2031))
    assert all(b["aturan"] == "defisit_3pct_pdb" and b["nilai"] > 3 for b in breaches)
    with pytest.raises(ValueError, match="no preset"):
        preset("optimistic", 2026)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("kurs", 0, "greater than 0"),
        ("icp", -1, "greater than 0"),
        ("pertumbuhan_ekonomi", 20.5, "-20% and +20%"),
        ("pertumbuhan_ekonomi", -21, "-20% and +20%"),
        ("lifting_minyak", -0.1, "cannot be negative"),
        ("lifting_gas", -5, "cannot be negative"),
        ("inflasi", "tinggi", "must be a number"),
    ],
)
def test_out_of_range_assumptions(field: str, value: object, words: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario({"asumsi": {2027: {field: value}}})
    [error] = caught.value.errors
    assert error.field == f"asumsi.2027.{field}"
    assert words in error.message and error.pesan


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(
            {
                "tahun_dasar": 2031,
                "asumsi": "naik",
                "kebijakan": {"harga_bbm_pct": 500},
                "draws": 1.5,
                "seed": -1,
                "jenis": "optimis",
                "warna": "biru",
            }
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {
        "tahun_dasar",
        "asumsi",
        "kebijakan.harga_bbm_pct",
        "draws",
        "seed",
        "jenis",
        "warna",
    }


@settings(max_examples=60, deadline=None)
@given(
    key=st.sampled_from(list(ASUMSI)),
    value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5)),
)
def test_any_value_is_accepted_or_refused_cleanly(key: str, value: object) -> None:
    try:
        s = parse_scenario({"asumsi": {2026: {key: value}}})
    except ScenarioError as exc:
        assert [e.field for e in exc.errors] == [f"asumsi.2026.{key}"]
    else:
        number = s.asumsi[2026][key]
        _, low, high, _ = ASUMSI[key]
        assert low <= number <= high
        assert number > 0 or key not in ("kurs", "icp")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    raw=st.dictionaries(
        st.sampled_from(["tahun_dasar", "asumsi", "kebijakan", "draws", "seed", "nama", "x"]),
        JSON,
    ),
    year=st.one_of(st.integers(), st.text(max_size=8), st.floats()),
)
def test_arbitrary_json_never_crashes(raw: dict, year: object) -> None:  # type: ignore[type-arg]
    """Whatever a client sends, the answer is a scenario or field errors, never an exception."""
    raw = {**raw, "asumsi": {year: {"kurs": 10**400}}} if "asumsi" not in raw else raw
    try:
        parse_scenario(raw)
    except ScenarioError as exc:
        assert exc.errors and all(e.field and e.message for e in exc.errors)
