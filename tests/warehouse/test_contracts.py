"""Contracts: valid Frictionless schemas, compiled to cheap, correct DuckDB checks."""

from __future__ import annotations

import datetime as dt
import json
import re

import duckdb
import pytest
from frictionless import Schema

from treasury.warehouse.contracts import (
    CONTRACTS_DIR,
    DATASETS,
    contracts,
    fixed_width,
    load_contract,
    pattern_sql,
    rule_sql,
)

DOC = (CONTRACTS_DIR.parents[3] / "docs" / "datasets.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", DATASETS)
def test_contract_is_a_valid_table_schema(name: str) -> None:
    descriptor = json.loads((CONTRACTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert list(Schema.metadata_validate(descriptor)) == []
    schema = Schema.from_descriptor(descriptor)
    assert schema.primary_key
    for field in descriptor["fields"]:
        assert {"name", "type", "title", "description"} <= set(field)


def test_every_extract_of_the_data_contract_has_a_contract() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \|", DOC, flags=re.M))
    assert documented == set(DATASETS) == {p.stem for p in CONTRACTS_DIR.glob("*.json")}


@pytest.mark.parametrize("name", DATASETS)
def test_columns_are_those_of_the_data_contract(name: str) -> None:
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{name}` |"))
    columns = row.split("|")[3]
    contract = load_contract(name)
    for column in contract.names:
        assert column in columns, f"{name}.{column} is not in docs/datasets.md"


def test_patterns_compile_to_glob_or_regex() -> None:
    assert pattern_sql("x", "^[0-9]{3}$") == "(strlen(x) = 3 AND x GLOB '[0-9][0-9][0-9]')"
    assert pattern_sql("x", "^[0-9]{10,16}$") == "regexp_full_match(x, '[0-9]{10,16}')"
    assert pattern_sql("x", "^[0-9]{15}$", high_cardinality=True).startswith("regexp_full_match")
    assert fixed_width("^5[1-8][0-9]{4}$") == 6
    assert fixed_width("^[A-Z]{3}[0-9]{3}$") is None


@pytest.mark.parametrize(
    "pattern",
    [f.pattern for c in contracts().values() for f in c.fields if f.pattern],
)
def test_compiled_pattern_agrees_with_python_regex(pattern: str) -> None:
    samples = [
        "",
        "0",
        "015",
        " 015",
        "01501WA",
        "01501wa",
        "EBA994",
        "123456",
        "5211119",
        "521111",
        "411121",
        "711111",
        "1234567890",
        "123456789012345",
        "ABCDEF0123456789",
        "DIPA-015.01.1.649688/2023",
        "DIPA-015.01.1.649688-2023",
        "3578011001",
        "gaji_tunjangan",
        "A",
        "a",
        "12a4",
        "１２３",
    ]
    con = duckdb.connect()
    for value in samples:
        sql = pattern_sql("v", pattern)
        got = con.execute(f"select {sql} from (select ? as v)", [value]).fetchone()[0]
        assert bool(got) == bool(re.fullmatch(pattern, value, flags=re.ASCII)), (pattern, value)


def test_upper_cased_codes_have_upper_case_patterns() -> None:
    """A value that passes its pattern as delivered must be a fixed point of cleansing."""
    for contract in contracts().values():
        for f in contract.fields:
            if "upper" in f.cleanse and f.pattern:
                assert not re.search(r"[a-z]-[a-z]", f.pattern), f.name
            if "lower" in f.cleanse and f.enum:
                assert all(v == v.lower() for v in f.enum), f.name


def test_rules_are_qualified_and_dated() -> None:
    c = load_contract("span_sp2d")
    sql = rule_sql(c, c.rules[0], dt.date(2024, 6, 30))
    assert "t.tanggal_sp2d" in sql and "2024-06-30" in sql
