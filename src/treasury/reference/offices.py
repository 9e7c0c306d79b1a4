"""Treasury offices: the 34 regional offices (Kanwil DJPb) and the KPPN.

The KPPN list and its codes are a plausible reconstruction (three codes are known: 001 Banda Aceh,
037 Denpasar, 064 Jayapura); see ``data/ATTRIBUTION.md``.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from treasury.reference.datafiles import read_csv


@cache
def kanwil() -> pa.Table:
    """The 34 Kanwil DJPb; the four provinces created in 2022 are served by older ones.

    Returns
    -------
    pyarrow.Table
        kode_kanwil (``"01"``..``"34"``), nama (``"Kanwil DJPb Provinsi Aceh"``), kode_provinsi
        (where the office sits). ``provinces().kode_kanwil`` links every province to its Kanwil.

    Examples
    --------
    >>> kanwil().num_rows
    34
    """
    return read_csv("kanwil.csv", strings=["kode_kanwil", "nama", "kode_provinsi"])


@cache
def kppn() -> pa.Table:
    """The 185 KPPN (state treasury service offices), 3 of them special offices in Jakarta.

    Returns
    -------
    pyarrow.Table
        kode_kppn (3 digits), nama (``"KPPN Banda Aceh"``), kode_kanwil, kode_provinsi,
        kode_kabkota (the seat), tipe (``a1``, ``pratama``, ``khusus``).

    Examples
    --------
    >>> import pyarrow.compute as pc
    >>> kppn().filter(pc.field("kode_kppn") == "001")["nama"][0].as_py()
    'KPPN Banda Aceh'
    """
    return read_csv(
        "kppn.csv",
        strings=["kode_kppn", "nama", "kode_kanwil", "kode_provinsi", "kode_kabkota", "tipe"],
    )


@cache
def kppn_kabkota() -> pa.Table:
    """Which KPPN serves each of the 514 kab/kota (exactly one, in the same province).

    Returns
    -------
    pyarrow.Table
        kode_kabkota, kode_kppn. A KPPN's seat maps to it (to the first one where a city has
        several, e.g. Medan I); other kab/kota map to the KPPN whose seat is nearest in code
        order. Special (``khusus``) offices serve no region.

    Examples
    --------
    >>> kppn_kabkota().num_rows
    514
    """
    return read_csv("kppn_kabkota.csv", strings=["kode_kabkota", "kode_kppn"])
