"""Cleanse: normalise delivered values before their keys are validated.

Strings are trimmed (an empty string becomes NULL), codes upper- or lower-cased where the
contract says, numeric codes left-padded to their width (``"15"`` -> ``"015"``), and text from
CSV or Excel is cast to the contract's types (a value that does not parse is flagged, never a
crash). All of it is SQL over the source relation ``s``, and it is cheap: a value that is already
valid as delivered (``_ok_<column>``) is passed through untouched, so a clean Parquet extract pays
one pattern check per value and nothing else.

Exact duplicate rows are found with the key duplicates after validation (see ``validate.py``):
they are removed from the clean table and quarantined with rule ``duplicate_exact``.
"""

from __future__ import annotations

import pyarrow as pa

from treasury.warehouse.contracts import (
    Contract,
    Field,
    arrow_digits,
    fixed_width,
    ident,
    pattern_sql,
    quote,
)


def is_text(t: pa.DataType) -> bool:
    """True for Arrow string types (plain, large, view or dictionary-encoded)."""
    if pa.types.is_dictionary(t):
        return is_text(t.value_type)
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _cleansed(f: Field, x: str) -> str:
    """SQL that normalises the string ``x`` as the field's cleanse steps say."""
    c = f"trim({x})"
    if "upper" in f.cleanse:
        c = f"upper({c})"
    if "lower" in f.cleanse:
        c = f"lower({c})"
    width = fixed_width(f.pattern) if "lpad" in f.cleanse else None
    if width:
        c = (
            f"CASE WHEN strlen({c}) < {width} AND {c} <> '' AND NOT {c} GLOB '*[!0-9]*' "
            f"THEN lpad({c}, {width}, '0') ELSE {c} END"
        )
    return f"NULLIF({c}, '')"


def _valid_as_delivered(contract: Contract, f: Field, x: str) -> str:
    """SQL true when the string ``x`` needs no cleansing (it is NULL or already valid)."""
    tests = []
    if f.pattern and not arrow_digits(f):
        tests.append(pattern_sql(x, f.pattern, f.name in contract.primary_key))
    if f.enum:
        tests.append(f"{x} IN ({', '.join(quote(v) for v in f.enum)})")
    if not tests:
        tests.append(f"NOT ({x} = '' OR {x} LIKE ' %' OR {x} LIKE '% ')")
    return f"({x} IS NULL OR ({' AND '.join(tests)}))"


def _text_cast(f: Field, x: str) -> str:
    """SQL that casts text to the field's type, NULL when it does not parse."""
    t = f"NULLIF(trim({x}), '')"
    if f.type == "integer":
        # Whole numbers only ("12.0" from Excel is fine, "12.5" or "1_000" is not).
        digits = f"regexp_extract({t}, '^([+-]?[0-9]+)(\\.0+)?$', 1)"
        return f"TRY_CAST(NULLIF({digits}, '') AS {f.sql_type})"
    if f.type == "date":
        return f"COALESCE(TRY_CAST({t} AS DATE), CAST(TRY_CAST({t} AS TIMESTAMP) AS DATE))"
    return f"TRY_CAST({t} AS {f.sql_type})"


def flag_columns(contract: Contract, source: pa.Schema) -> list[str]:
    """First projection over ``s``: each column as delivered (strings as VARCHAR) plus the
    ``_ok_<column>`` flags of string fields."""
    out = ["s._i AS _i"]
    for f in contract.fields:
        x = f"s.{ident(f.name)}"
        delivered = source.field(f.name).type
        if f.arrow_type == pa.string() and not is_text(delivered):
            x = f"CAST({x} AS VARCHAR)"
        out.append(f"{x} AS {ident(f.name)}")
        if f.arrow_type == pa.string():
            ok = _valid_as_delivered(contract, f, x)
            out.append(f"{ok} AS {ident('_ok_' + f.name)}")
    return out


def typed_columns(contract: Contract, source: pa.Schema) -> tuple[list[str], set[str]]:
    """Second projection over the flagged rows ``d``: cleansed, typed values, ``_ok_`` flags
    passed on, and ``_bad_<column>`` for values cast from another type that did not parse.

    Returns the select list and the names of the cast fields.
    """
    out = ["d._i AS _i"]
    cast = set()
    for f in contract.fields:
        x = f"d.{ident(f.name)}"
        delivered = source.field(f.name).type
        if f.arrow_type == pa.string():
            ok = f"d.{ident('_ok_' + f.name)}"
            out.append(f"CASE WHEN {ok} THEN {x} ELSE {_cleansed(f, x)} END AS {ident(f.name)}")
            out.append(f"{ok} AS {ident('_ok_' + f.name)}")
            continue
        if delivered == f.arrow_type:
            out.append(f"{x} AS {ident(f.name)}")
            continue
        cast.add(f.name)
        value = _text_cast(f, x) if is_text(delivered) else f"TRY_CAST({x} AS {f.sql_type})"
        present = f"NULLIF(trim({x}), '') IS NOT NULL" if is_text(delivered) else f"{x} IS NOT NULL"
        out.append(f"{value} AS {ident(f.name)}")
        out.append(f"({present} AND {value} IS NULL) AS {ident('_bad_' + f.name)}")
    return out, cast
