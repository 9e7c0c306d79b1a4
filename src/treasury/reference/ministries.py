"""Budget sections (Bagian Anggaran): ministries and agencies (K/L) and the BUN."""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from treasury.reference.datafiles import read_csv


@cache
def ministries() -> pa.Table:
    """Ministries and agencies with their budget section code, plus BUN (BA 999).

    Returns
    -------
    pyarrow.Table
        kode_ba (3 digits), nama (Indonesian), singkatan, jenis (``kl`` or ``bun``),
        bobot_belanja (float64: the K/L's share of total K/L spending, summing to 1 over ``kl``
        rows, from rough APBN 2024 allocations; 0 for BUN). Meant to weight synthetic spending.

    Examples
    --------
    >>> import pyarrow.compute as pc
    >>> ministries().filter(pc.field("kode_ba") == "015")["singkatan"][0].as_py()
    'Kemenkeu'
    """
    return read_csv(
        "ministries.csv",
        strings=["kode_ba", "nama", "singkatan", "jenis"],
        types={"bobot_belanja": pa.float64()},
    )


@cache
def bun_sections() -> pa.Table:
    """Sub-sections of BA 999 (Bendahara Umum Negara) and the budget group each one pays.

    Returns
    -------
    pyarrow.Table
        kode_bun (``"999.01"``), nama, pos (``belanja`` or ``pembiayaan``), kelompok (as in
        ``mart_apbn_bulanan``: ``bunga``, ``hibah``, ``tkd``, ``subsidi``, ``belanja_lain``,
        ``pembiayaan_investasi``, ``pembiayaan_lainnya``).

    Examples
    --------
    >>> bun_sections()["kode_bun"][0].as_py()
    '999.01'
    """
    return read_csv("bun_sections.csv", strings=["kode_bun", "nama", "pos", "kelompok"])
