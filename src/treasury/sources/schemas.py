"""The Arrow schemas of the source extracts, exactly as ``docs/datasets.md`` defines them.

Every generator builds its tables with these schemas (:func:`conform` checks and orders the
columns), so the warehouse can validate the extracts against the same contract.
"""

from __future__ import annotations

import pyarrow as pa

_S = pa.string()
_TS = pa.timestamp("us")

SCHEMAS: dict[str, pa.Schema] = {
    "span_satker": pa.schema(
        [
            ("kode_satker", _S),
            ("nama_satker", _S),
            ("kode_ba", _S),
            ("kode_eselon1", _S),
            ("kode_kppn", _S),
            ("kode_provinsi", _S),
            ("kode_kabkota", _S),
        ]
    ),
    "span_dipa": pa.schema(
        [
            ("tahun", pa.int16()),
            ("nomor_dipa", _S),
            ("kode_satker", _S),
            ("kode_ba", _S),
            ("kode_program", _S),
            ("kode_akun", _S),
            ("sumber_dana", _S),
            ("pagu", pa.int64()),
        ]
    ),
    "span_sp2d": pa.schema(
        [
            ("nomor_sp2d", _S),
            ("baris", pa.int16()),
            ("tanggal_sp2d", pa.date32()),
            ("nomor_spm", _S),
            ("tanggal_spm", pa.date32()),
            ("kode_satker", _S),
            ("kode_kppn", _S),
            ("kode_ba", _S),
            ("kode_program", _S),
            ("kode_kegiatan", _S),
            ("kode_output", _S),
            ("kode_akun", _S),
            ("sumber_dana", _S),
            ("jenis_pembayaran", _S),
            ("jenis_penerima", _S),
            ("rekening_penerima", _S),
            ("uraian", _S),
            ("nilai", pa.int64()),
        ]
    ),
    "sakti_spm": pa.schema(
        [
            ("nomor_spm", _S),
            ("kode_satker", _S),
            ("kode_kppn", _S),
            ("jenis_pembayaran", _S),
            ("nilai_spm", pa.int64()),
            ("waktu_unggah", _TS),
            ("nomor_sp2d", _S),
            ("waktu_sp2d", _TS),
        ]
    ),
    "mpn_penerimaan": pa.schema(
        [
            ("kode_billing", _S),
            ("ntpn", _S),
            ("waktu_bayar", _TS),
            ("tanggal_buku", pa.date32()),
            ("kode_akun", _S),
            ("kode_bank", _S),
            ("kode_provinsi", _S),
            ("nilai", pa.int64()),
        ]
    ),
    "span_pembiayaan": pa.schema(
        [
            ("tanggal", pa.date32()),
            ("nomor_transaksi", _S),
            ("kode_akun", _S),
            ("uraian", _S),
            ("nilai", pa.int64()),
        ]
    ),
    "span_pagu_apbn": pa.schema(
        [
            ("tahun", pa.int16()),
            ("pos", _S),
            ("kelompok", _S),
            ("subkelompok", _S),
            ("pagu", pa.int64()),
        ]
    ),
    "tkd_penyaluran": pa.schema(
        [
            ("tahun", pa.int16()),
            ("bulan", pa.int8()),
            ("tanggal_salur", pa.date32()),
            ("kode_pemda", _S),
            ("jenis_tkd", _S),
            ("nilai", pa.int64()),
        ]
    ),
    "tkd_dana_desa": pa.schema(
        [
            ("tahun", pa.int16()),
            ("kode_desa", _S),
            ("kode_pemda", _S),
            ("tahap", pa.int8()),
            ("tanggal_salur", pa.date32()),
            ("nilai", pa.int64()),
        ]
    ),
    "subsidi_realisasi": pa.schema(
        [
            ("tahun", pa.int16()),
            ("bulan", pa.int8()),
            ("program", _S),
            ("kode_provinsi", _S),
            ("volume", pa.float64()),
            ("satuan", _S),
            ("nilai", pa.int64()),
        ]
    ),
    "bps_makro": pa.schema(
        [
            ("kode_seri", _S),
            ("frekuensi", _S),
            ("periode", pa.date32()),
            ("nilai", pa.float64()),
            ("satuan", _S),
        ]
    ),
    "bps_indikator_provinsi": pa.schema(
        [
            ("tahun", pa.int16()),
            ("kode_provinsi", _S),
            ("indikator", _S),
            ("nilai", pa.float64()),
            ("satuan", _S),
        ]
    ),
}
"""Dataset name -> Arrow schema of its extract."""


def conform(dataset: str, columns: dict[str, object]) -> pa.Table:
    """Build ``dataset``'s table from named columns, in contract order and types.

    Raises
    ------
    ValueError
        When a column is missing or extra.
    """
    schema = SCHEMAS[dataset]
    if set(columns) != set(schema.names):
        missing, extra = set(schema.names) - set(columns), set(columns) - set(schema.names)
        raise ValueError(f"{dataset}: missing {sorted(missing)}, extra {sorted(extra)}")
    arrays = [_column(columns[f.name], f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _column(values: object, type_: pa.DataType) -> pa.Array | pa.ChunkedArray:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.cast(type_)
    return pa.array(values, type_)
