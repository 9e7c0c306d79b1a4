"""Data contracts: one Frictionless Table Schema per extract, compiled to DuckDB SQL checks.

A contract (``contracts/<dataset>.json``) is a valid Table Schema (fields with constraints,
``primaryKey``, ``foreignKeys``) plus three custom properties: ``loadMode`` (``append``: keys are
unique across batches; ``latest``: a later batch supersedes a key), per-field ``cleanse`` steps
and ``arrowType``, and ``rules``, cross-field checks written as DuckDB boolean expressions
(``{as_of}`` is the as-of date). :func:`compile_checks` turns a contract into an ordered list of
:class:`Check` whose SQL is cheap per row: a fixed-width code is ``strlen(x) = n AND x GLOB ...``
(DuckDB evaluates GLOB once per dictionary entry of a Parquet page), a regular expression is used
only for variable-width patterns and high-cardinality keys.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import re._parser as sre  # the stdlib regex parser: patterns are read, never executed here
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

CONTRACTS_DIR = Path(__file__).parent / "contracts"

#: Processing order: a dataset comes after the datasets its foreign keys point to.
DATASETS = (
    "span_satker",
    "span_pagu_apbn",
    "span_dipa",
    "span_sp2d",
    "sakti_spm",
    "mpn_penerimaan",
    "span_pembiayaan",
    "tkd_penyaluran",
    "tkd_dana_desa",
    "subsidi_realisasi",
    "bps_makro",
    "bps_indikator_provinsi",
)

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
}
SQL_TYPES: dict[pa.DataType, str] = {
    pa.string(): "VARCHAR",
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.date32(): "DATE",
    pa.timestamp("us"): "TIMESTAMP",
}
TYPE_WORDS = {"integer": "a number", "number": "a number", "date": "a date"}


class ContractError(ValueError):
    """A contract file is malformed or refers to a column that does not exist."""


@dataclass(frozen=True)
class Field:
    """One column of an extract and its constraints."""

    name: str
    type: str
    title: str
    description: str
    required: bool
    arrow_type: pa.DataType
    pattern: str | None = None
    enum: tuple[Any, ...] | None = None
    minimum: Any = None
    maximum: Any = None
    cleanse: tuple[str, ...] = ()
    unit: str | None = None

    @property
    def sql_type(self) -> str:
        """The DuckDB type of the column."""
        return SQL_TYPES[self.arrow_type]


@dataclass(frozen=True)
class ForeignKey:
    """Columns that must exist in a reference table (``ref_*``) or another dataset."""

    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """A cross-field check: ``check`` must hold (NULL counts as holding)."""

    name: str
    column: str
    check: str
    message: str


@dataclass(frozen=True)
class Contract:
    """The contract of one extract."""

    name: str
    title: str
    load_mode: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    rules: tuple[Rule, ...]
    descriptor: dict[str, Any]

    @property
    def names(self) -> list[str]:
        """Column names in contract order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def schema(self) -> pa.Schema:
        """The Arrow schema of the extract's columns."""
        return pa.schema([pa.field(f.name, f.arrow_type) for f in self.fields])


@dataclass(frozen=True)
class Check:
    """One compiled check: ``fails`` is a SQL boolean over the typed row ``t``, or, for a
    digits-only pattern checked on the query's Arrow output, ``digits`` is its length range."""

    rule: str
    column: str | None
    fails: str
    message: str
    digits: tuple[int, int] | None = None


def _field(d: dict[str, Any]) -> Field:
    c = d.get("constraints", {})
    kind = d.get("type", "string")
    arrow_name = d.get("arrowType") or {"integer": "int64"}.get(kind, kind)
    enum = c.get("enum")
    return Field(
        name=d["name"],
        type=kind,
        title=d.get("title", d["name"]),
        description=d.get("description", ""),
        required=bool(c.get("required", False)),
        arrow_type=ARROW_TYPES[arrow_name],
        pattern=c.get("pattern"),
        enum=tuple(enum) if enum else None,
        minimum=c.get("minimum"),
        maximum=c.get("maximum"),
        cleanse=tuple(d.get("cleanse", ())),
        unit=d.get("unit"),
    )


@cache
def load_contract(name: str) -> Contract:
    """Read ``contracts/<name>.json``.

    Examples
    --------
    >>> load_contract("span_sp2d").primary_key
    ('nomor_sp2d', 'baris')
    """
    path = CONTRACTS_DIR / f"{name}.json"
    if not path.exists():
        raise ContractError(f"no contract for dataset {name!r}")
    d = json.loads(path.read_text(encoding="utf-8"))
    contract = Contract(
        name=name,
        title=d.get("title", name),
        load_mode=d.get("loadMode", "append"),
        fields=tuple(_field(f) for f in d["fields"]),
        primary_key=tuple(d.get("primaryKey", ())),
        foreign_keys=tuple(
            ForeignKey(
                tuple(k["fields"]), k["reference"]["resource"], tuple(k["reference"]["fields"])
            )
            for k in d.get("foreignKeys", ())
        ),
        rules=tuple(Rule(**r) for r in d.get("rules", ())),
        descriptor=d,
    )
    names = set(contract.names)
    for col in [*contract.primary_key, *(c for k in contract.foreign_keys for c in k.fields)]:
        if col not in names:
            raise ContractError(f"{name}: key column {col!r} is not a field")
    for f in contract.fields:
        if "lpad" in f.cleanse and fixed_width(f.pattern) is None:
            raise ContractError(f"{name}.{f.name}: lpad needs a fixed-width digit pattern")
    for r in contract.rules:
        rule_sql(contract, r, dt.date(2020, 1, 1))  # parses and checks the columns
    return contract


def contracts() -> dict[str, Contract]:
    """Every contract, in processing order."""
    return {name: load_contract(name) for name in DATASETS}


def quote(value: Any) -> str:
    """A SQL literal."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _glob_class(items: list[tuple[Any, Any]]) -> str | None:
    """``[...]`` for a regex character class, or None when GLOB cannot say it."""
    parts = []
    for op, arg in items:
        if op is sre.LITERAL and chr(arg) not in "]!^-\\":
            parts.append(chr(arg))
        elif op is sre.RANGE:
            parts.append(f"{chr(arg[0])}-{chr(arg[1])}")
        elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
            parts.append("0-9")
        else:
            return None
    return "[" + "".join(parts) + "]"


def _glob(pattern: str) -> str | None:
    """A GLOB equivalent of a fixed-width anchored regex, or None."""
    out = []
    for op, arg in sre.parse(pattern):
        if op is sre.AT:
            continue
        if op is sre.LITERAL:
            ch = chr(arg)
            out.append(f"[{ch}]" if ch in "*?[" else ch)
        elif op is sre.IN:
            cls = _glob_class(arg)
            if cls is None:
                return None
            out.append(cls)
        elif op is sre.MAX_REPEAT and arg[0] == arg[1] and len(arg[2]) == 1:
            inner_op, inner = arg[2][0]
            if inner_op is sre.IN and (cls := _glob_class(inner)):
                out.append(cls * arg[0])
            elif inner_op is sre.LITERAL and chr(inner) not in "*?[":
                out.append(chr(inner) * arg[0])
            else:
                return None
        else:
            return None
    return "".join(out)


def fixed_width(pattern: str | None) -> int | None:
    """The width of a fixed-width digits-only pattern such as ``^[0-9]{6}$`` or ``^5[1-8][0-9]{4}$``."""
    glob = _glob(pattern) if pattern else None
    if glob is None or re.sub(r"\[[0-9-]+]|[0-9]", "", glob):
        return None
    return len(re.sub(r"\[[^]]*]", "?", glob))


def arrow_digits(f: Field) -> tuple[int, int] | None:
    """The length range of a digits-only pattern (``^[0-9]{15}$``, ``^[0-9]{10,16}$``) of a
    field with no cleansing beyond trimming, or None.

    Such values (document numbers, account numbers) are nearly all distinct, so no dictionary
    helps a per-row regular expression; Arrow's ``ascii_is_decimal`` on the query's output
    checks them ten times faster than RE2 does.
    """
    if not f.pattern or f.cleanse:
        return None
    found = re.fullmatch(r"\^?\[0-9]\{(\d+)(?:,(\d+))?\}\$?", f.pattern)
    if not found:
        return None
    low = int(found.group(1))
    return low, int(found.group(2) or low)


def pattern_sql(column: str, pattern: str, high_cardinality: bool = False) -> str:
    """SQL that is true when ``column`` (not NULL) matches ``pattern`` as a whole.

    Examples
    --------
    >>> pattern_sql("x", "^[0-9]{3}$")
    "(strlen(x) = 3 AND x GLOB '[0-9][0-9][0-9]')"
    """
    glob = None if high_cardinality else _glob(pattern)
    if glob is not None:
        width = len(re.sub(r"\[[^]]*]", "?", glob))
        return f"(strlen({column}) = {width} AND {column} GLOB {quote(glob)})"
    return f"regexp_full_match({column}, {quote(pattern.removeprefix('^').removesuffix('$'))})"


def rule_sql(contract: Contract, rule: Rule, as_of: dt.date, table: str = "t") -> str:
    """The rule's check with the as-of date filled in and columns qualified by ``table``."""
    text = rule.check.replace("{as_of}", f"DATE '{as_of.isoformat()}'")
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise ContractError(f"{contract.name}: rule {rule.name}: {exc}") from exc
    names = set(contract.names)
    for column in tree.find_all(exp.Column):
        if column.name not in names:
            raise ContractError(f"{contract.name}: rule {rule.name}: unknown column {column.name}")
        column.set("table", exp.to_identifier(table))
    return tree.sql(dialect="duckdb")


def field_checks(contract: Contract, f: Field, cast: bool, table: str = "t") -> list[Check]:
    """Checks of one field on its typed, cleansed value ``table.<name>``.

    ``cast`` says the value was cast from another type (text), so a type check comes first.
    Pattern and enum checks only look at rows whose delivered value was not already valid
    (``_ok_<name>``), so valid rows pay for the pattern once.
    """
    col = f"{table}.{ident(f.name)}"
    checks = []
    if cast:
        word = TYPE_WORDS.get(f.type, "a timestamp" if f.type == "datetime" else f.type)
        bad = f"{table}.{ident('_bad_' + f.name)}"
        checks.append(Check("type", f.name, bad, f"{f.name} is not {word}"))
    if f.required:
        checks.append(Check("required", f.name, f"{col} IS NULL", f"{f.name} is required"))
    ok = f"{table}.{ident('_ok_' + f.name)}"
    if f.pattern:
        message = f"{f.name} does not match {f.pattern}"
        digits = arrow_digits(f)
        if digits:
            checks.append(Check("pattern", f.name, "", message, digits))
        else:
            high = f.name in contract.primary_key
            fails = f"NOT {ok} AND NOT {pattern_sql(col, f.pattern, high)}"
            checks.append(Check("pattern", f.name, fails, message))
    if f.enum:
        values = ", ".join(quote(v) for v in f.enum)
        fails = f"NOT {ok} AND {col} NOT IN ({values})"
        checks.append(Check("enum", f.name, fails, f"{f.name} is not one of {values}"))
    if f.minimum is not None:
        lim = quote(f.minimum)
        checks.append(Check("minimum", f.name, f"{col} < {lim}", f"{f.name} is below {lim}"))
    if f.maximum is not None:
        lim = quote(f.maximum)
        checks.append(Check("maximum", f.name, f"{col} > {lim}", f"{f.name} is above {lim}"))
    return checks


def rule_checks(contract: Contract, as_of: dt.date, table: str = "t") -> list[Check]:
    """The contract's cross-field rules as checks."""
    return [
        Check(
            r.name,
            r.column,
            f"NOT COALESCE(({rule_sql(contract, r, as_of, table)}), TRUE)",
            r.message,
        )
        for r in contract.rules
    ]
