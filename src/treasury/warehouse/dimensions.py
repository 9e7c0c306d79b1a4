"""Reference dimensions: the ``ref_*`` tables foreign keys point to and marts join.

They come from :mod:`treasury.reference` (Arrow tables built from the CSV files shipped in the
package). A table that cannot be loaded is left out; the pipeline then skips the foreign-key
checks against it with a warning event instead of failing the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pyarrow as pa

log = logging.getLogger(__name__)

#: ref table -> (loader name in treasury.reference, key column)
REFERENCES: dict[str, tuple[str, str]] = {
    "ref_provinsi": ("provinces", "kode_provinsi"),
    "ref_kabkota": ("kabkota", "kode_kabkota"),
    "ref_pemda": ("pemda", "kode_pemda"),
    "ref_desa": ("villages", "kode_desa"),
    "ref_ba": ("ministries", "kode_ba"),
    "ref_kppn": ("kppn", "kode_kppn"),
    "ref_kppn_kabkota": ("kppn_kabkota", "kode_kabkota"),
    "ref_akun": ("accounts", "kode_akun"),
}

#: Columns the pipeline relies on, for the empty stand-in of a table that is unavailable.
COLUMNS: dict[str, tuple[str, ...]] = {
    "ref_akun": ("kode_akun", "kode_akun_3", "kode_akun_2", "pos", "kelompok", "subkelompok"),
}


def reference_tables() -> dict[str, pa.Table]:
    """Every reference table that can be loaded, by ``ref_*`` name.

    Examples
    --------
    >>> sorted(reference_tables())[:2]
    ['ref_akun', 'ref_ba']
    """
    import treasury.reference as reference

    tables = {}
    for name, (loader, _key) in REFERENCES.items():
        load: Callable[[], pa.Table] | None = getattr(reference, loader, None)
        if load is None:
            continue
        try:
            tables[name] = load()
        except Exception as exc:  # a broken data file must not stop the pipeline
            log.warning("reference table %s unavailable: %s", name, exc)
    return tables


def empty_reference(name: str) -> pa.Table:
    """An empty all-string stand-in for a reference table that could not be loaded."""
    key = REFERENCES[name][1] if name in REFERENCES else name.removeprefix("ref_")
    columns = COLUMNS.get(name, (key,))
    return pa.table({c: pa.array([], pa.string()) for c in columns})
