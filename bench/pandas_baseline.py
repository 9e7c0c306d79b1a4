"""A straightforward pandas implementation of SP2D validation and monthly aggregation.

This is the baseline the pipeline benchmark compares against: what an analyst would write
first. It reads every SP2D extract, checks the same rules as the contract (required values,
code patterns, enums, amounts, dates, foreign keys, unique document lines) and aggregates the
valid rows per year, month, satker and spending type.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PATTERNS = {
    "nomor_sp2d": r"\d{15}",
    "kode_satker": r"\d{6}",
    "kode_kppn": r"\d{3}",
    "kode_ba": r"\d{3}",
    "kode_akun": r"5[1-8]\d{4}",
}
ENUMS = {
    "jenis_pembayaran": {"LS", "UP", "GUP", "TUP"},
    "jenis_penerima": {"pegawai", "pihak_ketiga", "bendahara", "badan_usaha", "lembaga"},
}


def validate_and_aggregate(
    files: list[Path], satker: set[str], kppn: set[str], accounts: set[str]
) -> tuple[int, int, pd.DataFrame]:
    """Return (valid rows, rejected rows, monthly aggregate) for the SP2D extract files."""
    frame = pd.concat([pd.read_parquet(path) for path in files], ignore_index=True)
    bad = frame.isna().any(axis=1)
    for column, pattern in PATTERNS.items():
        bad |= ~frame[column].astype(str).str.fullmatch(pattern)
    for column, allowed in ENUMS.items():
        bad |= ~frame[column].isin(allowed)
    bad |= frame["nilai"] <= 0
    sp2d = pd.to_datetime(frame["tanggal_sp2d"])
    spm = pd.to_datetime(frame["tanggal_spm"])
    bad |= (spm > sp2d) | (spm.dt.year != sp2d.dt.year) | (sp2d.dt.year < 2019)
    bad |= ~frame["kode_satker"].isin(satker)
    bad |= ~frame["kode_kppn"].isin(kppn)
    bad |= ~frame["kode_akun"].isin(accounts)
    bad |= frame.duplicated(subset=["nomor_sp2d", "baris"], keep=False)
    valid = frame[~bad].assign(
        tahun=sp2d[~bad].dt.year,
        bulan=sp2d[~bad].dt.month,
        jenis_belanja=frame.loc[~bad, "kode_akun"].str[:2],
    )
    monthly = valid.groupby(["tahun", "bulan", "kode_satker", "jenis_belanja"], as_index=False)[
        "nilai"
    ].sum()
    return int((~bad).sum()), int(bad.sum()), monthly
