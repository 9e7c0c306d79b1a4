"""Conform: the columns every clean table gains from the reference data and the satker master.

Each derived column is SQL over the typed row ``t`` and the foreign-key tables the contract
joins (named by their resource: ``ref_akun``, ``span_satker``, ...). The joins are the same
hash joins that check the foreign keys, so conforming costs no extra pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Derived:
    """A conformed column: its name, Arrow type and SQL."""

    name: str
    arrow_type: pa.DataType
    sql: str


def _period(column: str) -> tuple[Derived, ...]:
    return (
        Derived("tahun", pa.int16(), f"CAST(year(t.{column}) AS SMALLINT)"),
        Derived("bulan", pa.int8(), f"CAST(month(t.{column}) AS TINYINT)"),
    )


_ACCOUNT = tuple(
    Derived(name, pa.string(), f"ref_akun.{name}")
    for name in ("kode_akun_3", "kode_akun_2", "pos", "kelompok", "subkelompok")
)
_SATKER_REGION = (
    Derived("kode_provinsi", pa.string(), "span_satker.kode_provinsi"),
    Derived("kode_kabkota", pa.string(), "span_satker.kode_kabkota"),
)

#: dataset -> derived columns, in output order.
CONFORM: dict[str, tuple[Derived, ...]] = {
    "span_sp2d": (*_period("tanggal_sp2d"), *_ACCOUNT, *_SATKER_REGION),
    "span_dipa": (
        *_ACCOUNT,
        Derived("kode_kppn", pa.string(), "span_satker.kode_kppn"),
        *_SATKER_REGION,
    ),
    "sakti_spm": _period("waktu_unggah"),
    "mpn_penerimaan": (*_period("tanggal_buku"), *_ACCOUNT),
    "span_pembiayaan": (*_period("tanggal"), *_ACCOUNT),
    "tkd_penyaluran": (Derived("kode_provinsi", pa.string(), "left(t.kode_pemda, 2)"),),
    "tkd_dana_desa": (
        Derived("kode_kabkota", pa.string(), "left(t.kode_desa, 4)"),
        Derived("kode_provinsi", pa.string(), "left(t.kode_desa, 2)"),
    ),
}


def derived(dataset: str) -> tuple[Derived, ...]:
    """The conformed columns of a dataset (none for most master and macro data)."""
    return CONFORM.get(dataset, ())


def derived_schema(dataset: str) -> list[pa.Field]:
    """Arrow fields of the conformed columns."""
    return [pa.field(d.name, d.arrow_type) for d in derived(dataset)]
