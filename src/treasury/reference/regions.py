"""Regions: provinces, kab/kota, regional governments (Pemda), kecamatan and villages.

Codes are Kemendagri codes without dots, as strings: province ``"35"``, kab/kota ``"3578"``,
kecamatan ``"357801"``, village ``"3578011001"``. Kab/kota, kecamatan and village lists come from
the ``idn-area-data`` package (ODbL, see ``data/ATTRIBUTION.md``).
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from treasury.reference.datafiles import read_csv


@cache
def provinces() -> pa.Table:
    """The 38 provinces.

    Returns
    -------
    pyarrow.Table
        kode_provinsi (Kemendagri, 2 digits, the primary code), kode_bps (BPS code; differs for
        the six Papua provinces), nama, lat, lon (centroid), kode_kanwil (the Kanwil DJPb that
        serves the province).

    Examples
    --------
    >>> provinces().num_rows
    38
    """
    return read_csv("provinces.csv", strings=["kode_provinsi", "kode_bps", "nama", "kode_kanwil"])


@cache
def kabkota() -> pa.Table:
    """The 514 kabupaten and kota (416 kabupaten, 98 kota, Jakarta's 6 administrative units in).

    Returns
    -------
    pyarrow.Table
        kode_kabkota (4 digits, e.g. ``"3578"``), kode_provinsi, nama (``"Kota Surabaya"``), jenis
        (``kabupaten``, ``kota``, ``kabupaten_administrasi``, ``kota_administrasi``).

    Examples
    --------
    >>> kabkota().num_rows
    514
    """
    return read_csv("kabkota.csv", strings=["kode_kabkota", "kode_provinsi", "nama", "jenis"])


@cache
def pemda() -> pa.Table:
    """The 546 regional governments with their own budget (38 provinces + 508 kab/kota).

    Jakarta's administrative kabupaten and kota have no budget of their own and are left out.

    Returns
    -------
    pyarrow.Table
        kode_pemda (4 digits: a province is its code + ``"00"``, ``"3500"``; a kab/kota is its
        kab/kota code), nama (``"Provinsi Jawa Timur"``, ``"Kota Surabaya"``), jenis
        (``provinsi``, ``kabupaten``, ``kota``), kode_provinsi.

    Examples
    --------
    >>> pemda().num_rows
    546
    """
    prov = provinces()
    kk = kabkota()
    kk = kk.filter(pc.is_in(kk["jenis"], pa.array(["kabupaten", "kota"])))
    prov_part = pa.table(
        {
            "kode_pemda": pc.binary_join_element_wise(prov["kode_provinsi"], "00", ""),
            "nama": pc.binary_join_element_wise("Provinsi ", prov["nama"], ""),
            "jenis": pa.array(["provinsi"] * prov.num_rows),
            "kode_provinsi": prov["kode_provinsi"],
        }
    )
    kk_part = pa.table(
        {
            "kode_pemda": kk["kode_kabkota"],
            "nama": kk["nama"],
            "jenis": kk["jenis"],
            "kode_provinsi": kk["kode_provinsi"],
        }
    )
    return pa.concat_tables([prov_part, kk_part]).sort_by("kode_pemda").combine_chunks()


@cache
def kecamatan() -> pa.Table:
    """The kecamatan (districts), about 7,300.

    Returns
    -------
    pyarrow.Table
        kode_kecamatan (6 digits), kode_kabkota, kode_provinsi, nama.

    Examples
    --------
    >>> kecamatan().num_rows > 7000
    True
    """
    table = read_csv("kecamatan.csv", strings=["kode_kecamatan", "nama"])
    code = table["kode_kecamatan"]
    return pa.table(
        {
            "kode_kecamatan": code,
            "kode_kabkota": pc.utf8_slice_codeunits(code, 0, 4),
            "kode_provinsi": pc.utf8_slice_codeunits(code, 0, 2),
            "nama": table["nama"],
        }
    )


@cache
def villages() -> pa.Table:
    """The villages: about 75,000 desa and 8,500 kelurahan.

    A Kemendagri village number starts with 1 for a kelurahan, 2 for a desa and 3 for a desa
    adat (customary village, Papua); desa adat count as ``desa`` (they receive Dana Desa).

    Returns
    -------
    pyarrow.Table
        kode_desa (10 digits), kode_kecamatan (6), kode_kabkota (4), kode_provinsi (2), nama,
        jenis (``desa`` or ``kelurahan``).

    Examples
    --------
    >>> villages().num_rows > 80000
    True
    """
    table = read_csv("villages.csv.gz", strings=["kode_desa", "nama"])
    code = table["kode_desa"]
    kelurahan = pc.equal(pc.utf8_slice_codeunits(code, 6, 7), "1")
    return pa.table(
        {
            "kode_desa": code,
            "kode_kecamatan": pc.utf8_slice_codeunits(code, 0, 6),
            "kode_kabkota": pc.utf8_slice_codeunits(code, 0, 4),
            "kode_provinsi": pc.utf8_slice_codeunits(code, 0, 2),
            "nama": table["nama"],
            "jenis": pc.if_else(kelurahan, "kelurahan", "desa"),
        }
    )
