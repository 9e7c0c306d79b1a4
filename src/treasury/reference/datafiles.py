"""Read the CSV files shipped in ``data/`` as Arrow tables with string codes."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

import pyarrow as pa
import pyarrow.csv as pacsv

PACKAGE = "treasury.reference"


def read_csv(
    name: str,
    *,
    strings: Iterable[str] = (),
    types: dict[str, pa.DataType] | None = None,
) -> pa.Table:
    """Read ``data/<name>``; ``strings`` columns stay strings (codes keep leading zeros)."""
    column_types: dict[str, pa.DataType] = dict.fromkeys(strings, pa.string())
    column_types.update(types or {})
    source = resources.files(PACKAGE).joinpath("data", name)
    with resources.as_file(source) as path:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types=column_types,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    # A column that is empty in every row is inferred as null: make it a float column.
    for i, field in enumerate(table.schema):
        if pa.types.is_null(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
    return table
