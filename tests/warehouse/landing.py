"""A small, consistent landing zone built by hand (every extract of docs/datasets.md).

Codes come from the real reference tables, amounts from a seeded generator, so tests can
assert exact sums. ``write_landing`` writes Parquet (or CSV) files, one per batch.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from treasury import reference
from treasury.warehouse.contracts import load_contract

MONTHS = ("2023-11", "2023-12", "2024-01", "2024-02")
AS_OF = dt.date(2024, 6, 30)
ACCOUNTS = ("511111", "521111", "532111", "541111")


def _kppn() -> list[dict[str, Any]]:
    rows = reference.kppn().to_pylist()
    return [r for r in rows if r["kode_kabkota"]][:3]


def satker() -> list[dict[str, Any]]:
    """Six satker in three KPPN areas."""
    bas = reference.ministries().column("kode_ba").to_pylist()[:3]
    out = []
    for i, k in enumerate(_kppn() * 2):
        out.append(
            {
                "kode_satker": f"{649680 + i:06d}",
                "nama_satker": f"Satker {i}",
                "kode_ba": bas[i % 3],
                "kode_eselon1": "01",
                "kode_kppn": k["kode_kppn"],
                "kode_provinsi": k["kode_provinsi"],
                "kode_kabkota": k["kode_kabkota"],
            }
        )
    return out


def _table(dataset: str, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=load_contract(dataset).schema())


def _month_days(month: str) -> list[dt.date]:
    first = dt.date.fromisoformat(month + "-01")
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return [first + dt.timedelta(days=d) for d in range((nxt - first).days)]


def monthly(month: str, seed: int, lines: int = 30) -> dict[str, pa.Table]:
    """The monthly extracts of one month."""
    rng = np.random.default_rng(seed)
    days = _month_days(month)
    sats = satker()
    sp2d, spm = [], []
    for i in range(lines // 2):
        s = sats[int(rng.integers(len(sats)))]
        day = days[int(rng.integers(2, len(days)))]
        nomor = f"{int(month.replace('-', '')) * 10**5 + i:015d}"
        upload = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(
            minutes=int(rng.integers(0, 400))
        )
        spm_no = f"{i:05d}/{s['kode_satker']}/{month}"
        total = 0
        for baris in (1, 2):
            nilai = int(rng.integers(1_000_000, 900_000_000))
            total += nilai
            sp2d.append(
                {
                    "nomor_sp2d": nomor,
                    "baris": baris,
                    "tanggal_sp2d": day,
                    "nomor_spm": spm_no,
                    "tanggal_spm": day - dt.timedelta(days=1),
                    "kode_satker": s["kode_satker"],
                    "kode_kppn": s["kode_kppn"],
                    "kode_ba": s["kode_ba"],
                    "kode_program": f"{s['kode_ba']}01WA",
                    "kode_kegiatan": "3987",
                    "kode_output": "EBA994",
                    "kode_akun": ACCOUNTS[int(rng.integers(4))],
                    "sumber_dana": "A",
                    "jenis_pembayaran": "LS",
                    "jenis_penerima": "pegawai",
                    "rekening_penerima": f"{int(rng.integers(10**11, 10**12))}",
                    "uraian": "Pembayaran",
                    "nilai": nilai,
                }
            )
        spm.append(
            {
                "nomor_spm": spm_no,
                "kode_satker": s["kode_satker"],
                "kode_kppn": s["kode_kppn"],
                "jenis_pembayaran": "LS",
                "nilai_spm": total,
                "waktu_unggah": upload,
                "nomor_sp2d": nomor,
                "waktu_sp2d": upload + dt.timedelta(minutes=int(rng.integers(5, 200))),
            }
        )
    provinces = sorted({s["kode_provinsi"] for s in sats})
    mpn = [
        {
            "kode_billing": f"{int(month.replace('-', '')) * 10**5 + i:015d}",
            "ntpn": f"N{month.replace('-', '')}{i:09d}"[:16].upper().ljust(16, "0"),
            "waktu_bayar": dt.datetime.combine(day, dt.time(10)),
            "tanggal_buku": day,
            "kode_akun": ("411111", "411211", "421111", "423111")[i % 4],
            "kode_bank": "002",
            "kode_provinsi": provinces[i % len(provinces)],
            "nilai": int(rng.integers(10_000_000, 5_000_000_000)),
        }
        for i, day in enumerate(days[: lines // 2])
    ]
    pembiayaan = [
        {
            "tanggal": days[5],
            "nomor_transaksi": f"PB-{month}-1",
            "kode_akun": "711111",
            "uraian": "Penerbitan SBN",
            "nilai": int(rng.integers(10**12, 5 * 10**12)),
        },
        {
            "tanggal": days[9],
            "nomor_transaksi": f"PB-{month}-2",
            "kode_akun": "724111",
            "uraian": "PMN BUMN",
            "nilai": -int(rng.integers(10**11, 10**12)),
        },
    ]
    year, mon = (int(x) for x in month.split("-"))
    pemda = [sats[0]["kode_kabkota"], sats[0]["kode_provinsi"] + "00"]
    tkd = [
        {
            "tahun": year,
            "bulan": mon,
            "tanggal_salur": days[14],
            "kode_pemda": p,
            "jenis_tkd": j,
            "nilai": int(rng.integers(10**10, 10**11)),
        }
        for p in pemda
        for j in ("dau", "dbh")
    ]
    subsidi = [
        {
            "tahun": year,
            "bulan": mon,
            "program": prog,
            "kode_provinsi": provinces[0],
            "volume": float(rng.integers(100, 1000)),
            "satuan": unit,
            "nilai": int(rng.integers(10**9, 10**10)),
        }
        for prog, unit in (("bbm", "kilo_liter"), ("listrik", "mwh"))
    ]
    return {
        "span_sp2d": _table("span_sp2d", sp2d),
        "sakti_spm": _table("sakti_spm", spm),
        "mpn_penerimaan": _table("mpn_penerimaan", mpn),
        "span_pembiayaan": _table("span_pembiayaan", pembiayaan),
        "tkd_penyaluran": _table("tkd_penyaluran", tkd),
        "subsidi_realisasi": _table("subsidi_realisasi", subsidi),
    }


def yearly(year: int) -> dict[str, pa.Table]:
    """The annual extracts (DIPA, APBN posture, Dana Desa) of one year."""
    sats = satker()
    dipa = [
        {
            "tahun": year,
            "nomor_dipa": f"DIPA-{s['kode_ba']}.01.1.{s['kode_satker']}/{year}",
            "kode_satker": s["kode_satker"],
            "kode_ba": s["kode_ba"],
            "kode_program": f"{s['kode_ba']}01WA",
            "kode_akun": akun,
            "sumber_dana": "A",
            "pagu": 10**12 + i,
        }
        for i, s in enumerate(sats)
        for akun in ACCOUNTS[:3]
    ]
    lines = [
        ("pendapatan", "perpajakan", "pph"),
        ("pendapatan", "pnbp", "sda_migas"),
        ("belanja", "belanja_pegawai", "gaji_tunjangan"),
        ("belanja", "tkd", "dau"),
        ("pembiayaan", "pembiayaan_utang", "sbn"),
    ]
    pagu = [
        {"tahun": year, "pos": p, "kelompok": k, "subkelompok": s, "pagu": 10**14 + i}
        for i, (p, k, s) in enumerate(lines)
    ]
    kabkota = sats[0]["kode_kabkota"]
    villages = reference.villages()
    desa = [v for v in villages.to_pylist() if v["kode_kabkota"] == kabkota][:3]
    dana_desa = [
        {
            "tahun": year,
            "kode_desa": v["kode_desa"],
            "kode_pemda": kabkota,
            "tahap": tahap,
            "tanggal_salur": dt.date(year, 2 * tahap, 10),
            "nilai": 100_000_000 * tahap,
        }
        for v in desa
        for tahap in (1, 2)
        if dt.date(year, 2 * tahap, 10) <= AS_OF
    ]
    return {
        "span_dipa": _table("span_dipa", dipa),
        "span_pagu_apbn": _table("span_pagu_apbn", pagu),
        "tkd_dana_desa": _table("tkd_dana_desa", dana_desa),
    }


def master() -> dict[str, pa.Table]:
    """Satker master and macro data (one batch each)."""
    provinces = sorted({s["kode_provinsi"] for s in satker()})
    makro = [
        {
            "kode_seri": "inflasi_yoy",
            "frekuensi": "M",
            "periode": dt.date(2023, m, 1),
            "nilai": 2.5 + m / 10,
            "satuan": "persen",
        }
        for m in range(1, 13)
    ]
    indikator = [
        {"tahun": 2023, "kode_provinsi": p, "indikator": "ipm", "nilai": 72.5, "satuan": "indeks"}
        for p in provinces
    ]
    return {
        "span_satker": _table("span_satker", satker()),
        "bps_makro": _table("bps_makro", makro),
        "bps_indikator_provinsi": _table("bps_indikator_provinsi", indikator),
    }


def write(landing: Path, dataset: str, batch: str, table: pa.Table, fmt: str = "parquet") -> Path:
    """Write one batch file."""
    folder = landing / dataset
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{batch}.{fmt}"
    if fmt == "csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return path


def write_landing(
    landing: Path, months: tuple[str, ...] = MONTHS, lines: int = 30, fmt: str = "parquet"
) -> None:
    """Write every extract for ``months`` (plus the annual and master batches)."""
    for dataset, table in master().items():
        write(landing, dataset, "2024-01-01", table, fmt)
    for year in sorted({int(m[:4]) for m in months}):
        for dataset, table in yearly(year).items():
            write(landing, dataset, str(year), table, fmt)
    for i, month in enumerate(months):
        for dataset, table in monthly(month, seed=i, lines=lines).items():
            write(landing, dataset, month, table, fmt)
