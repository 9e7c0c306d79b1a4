"""Chart of accounts (Bagan Akun Standar): revenue, spending, transfers and financing."""

from __future__ import annotations

from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from treasury.reference.datafiles import read_csv

POS = ("pendapatan", "belanja", "pembiayaan")
KELOMPOK = {
    "pendapatan": ("perpajakan", "pnbp", "hibah"),
    "belanja": (
        "belanja_pegawai",
        "belanja_barang",
        "belanja_modal",
        "bunga",
        "subsidi",
        "hibah",
        "bansos",
        "belanja_lain",
        "tkd",
    ),
    "pembiayaan": ("pembiayaan_utang", "pembiayaan_investasi", "pembiayaan_lainnya"),
}
"""Allowed kelompok per pos, as in the ``mart_apbn_bulanan`` contract."""

# The hierarchy skips level 5: a 6-digit account's parent is its 4-digit group.
_PARENT_LENGTH = {2: 1, 3: 2, 4: 3, 6: 4}


def _prefix_or_null(codes: pa.Array, levels: pa.Array, length: int) -> pa.Array:
    """The first ``length`` digits of each code, null where the code is shorter."""
    prefix = pc.utf8_slice_codeunits(codes, 0, length)
    return pc.if_else(pc.greater_equal(levels, length), prefix, pa.scalar(None, pa.string()))


@cache
def accounts() -> pa.Table:
    """The chart of accounts with its hierarchy and budget classification.

    Levels are 1 (``"5"``), 2 (``"51"``), 3 (``"511"``), 4 (``"5111"``) and 6 (``"511111"``,
    the posting level). ``kode_akun_1``..``kode_akun_3`` give the ancestors on every row
    (the row's own code at its own level, null above it).

    Returns
    -------
    pyarrow.Table
        kode_akun, nama (Indonesian), level (int8), kode_induk (parent: 6 -> 4 -> 3 -> 2 -> 1,
        null on level 1), kode_akun_3, kode_akun_2, kode_akun_1, pos (``pendapatan``,
        ``belanja``, ``pembiayaan``; transfers to regions 6x are ``belanja``), kelompok and
        subkelompok (classification of ``mart_apbn_bulanan``; null on aggregate rows that span
        several groups, never null on level 6).

    Examples
    --------
    >>> row = accounts().filter(pc.field("kode_akun") == "511111")
    >>> row["kelompok"][0].as_py(), row["subkelompok"][0].as_py(), row["kode_akun_3"][0].as_py()
    ('belanja_pegawai', 'gaji_tunjangan', '511')
    """
    table = read_csv(
        "accounts.csv",
        strings=["kode_akun", "nama", "pos", "kelompok", "subkelompok"],
        types={"level": pa.int8()},
    )
    codes = table["kode_akun"].combine_chunks()
    levels = table["level"].combine_chunks()
    parent_length = [_PARENT_LENGTH.get(level) for level in levels.to_pylist()]
    parent = [
        None if n is None else code[:n]
        for code, n in zip(codes.to_pylist(), parent_length, strict=True)
    ]
    return pa.table(
        {
            "kode_akun": codes,
            "nama": table["nama"],
            "level": levels,
            "kode_induk": pa.array(parent, pa.string()),
            "kode_akun_3": _prefix_or_null(codes, levels, 3),
            "kode_akun_2": _prefix_or_null(codes, levels, 2),
            "kode_akun_1": _prefix_or_null(codes, levels, 1),
            "pos": table["pos"],
            "kelompok": table["kelompok"],
            "subkelompok": table["subkelompok"],
        }
    )
