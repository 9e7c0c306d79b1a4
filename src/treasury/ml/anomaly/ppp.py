"""Features and red-flag rules for payments on the government payment platform (PPP).

``features(transactions)`` turns raw payments (the columns of
:func:`treasury.sources.ppp.generate_ppp`) into one numeric row per payment; ``red_flags``
applies the rules with severities. Everything is vectorised (pandas group-bys), so a million
payments take seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from treasury.reference import is_working_day_array
from treasury.sources.ppp import THRESHOLDS

#: Feature columns, in the order the detector sees them.
FEATURES = [
    "log_nilai",
    "z_nilai_vendor",
    "salinan_sebelumnya",
    "vendor_lain_nilai_sama",
    "hari_libur",
    "jam_di_luar_kantor",
    "vendor_serekening",
    "umur_vendor_hari",
    "di_bawah_ambang",
]

#: Vendor age is capped here (days): older vendors are all "established".
MAX_AGE_DAYS = 3650

#: A vendor younger than this (days) is new.
NEW_VENDOR_DAYS = 90

#: Rules: (code, severity, description in Indonesian, in English).
RULES = {
    "duplikat": (
        "tinggi",
        "pembayaran berulang: satker, vendor, nilai dan tanggal sama",
        "repeated payment: same satker, vendor, amount and date",
    ),
    "nilai_sama_vendor_lain": (
        "sedang",
        "nilai dan tanggal sama ke vendor lain",
        "same amount, same date, another vendor",
    ),
    "hari_libur": ("sedang", "dibayar pada hari libur", "paid on a weekend or holiday"),
    "di_luar_jam": (
        "rendah",
        "dibayar di luar jam kerja (sebelum 07:00 atau sesudah 19:00)",
        "paid out of hours (before 07:00 or after 19:00)",
    ),
    "rekening_bersama": (
        "tinggi",
        "rekening vendor sudah dipakai vendor lain yang terdaftar lebih dulu",
        "bank account already used by a vendor registered earlier",
    ),
    "vendor_baru_nilai_besar": (
        "tinggi",
        "vendor baru (< 90 hari) dengan nilai besar",
        "new vendor (< 90 days) with a large payment",
    ),
    "di_bawah_ambang": (
        "rendah",
        "nilai sedikit di bawah ambang pengadaan",
        "amount just below a procurement threshold",
    ),
}


def below_threshold(amount: np.ndarray) -> np.ndarray:
    """How close below a threshold (1 = just below, 0 = not within 5% below any)."""
    out = np.zeros(amount.shape, dtype=np.float64)
    for limit in THRESHOLDS:
        gap = (limit - amount) / limit
        inside = (gap > 0) & (gap <= 0.05)
        out = np.maximum(out, np.where(inside, 1.0 - gap / 0.05, 0.0))
    return out


def features(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row of :data:`FEATURES` per payment (same index as ``transactions``)."""
    frame = transactions
    amount = frame["nilai"].to_numpy(dtype=np.float64)
    log_amount = np.log1p(np.maximum(amount, 0.0))
    vendor = frame["kode_vendor"]
    grouped = pd.Series(log_amount, index=frame.index).groupby(vendor.to_numpy())
    centre = grouped.transform("median").to_numpy()
    spread = grouped.transform("std").fillna(0.0).to_numpy()
    z_vendor = (log_amount - centre) / np.maximum(spread, 0.25)

    ordered = frame.assign(_order=frame["jam"]).sort_values("_order", kind="stable")
    earlier = ordered.groupby(
        [ordered["kode_satker"], ordered["kode_vendor"], ordered["nilai"], ordered["tanggal"]]
    ).cumcount()
    day_amount = frame.groupby([frame["kode_satker"], frame["tanggal"], frame["nilai"]])[
        "kode_vendor"
    ].transform("nunique")
    # Vendors registered on an account that an earlier-registered vendor already uses.
    registered = frame["vendor_terdaftar"]
    first_on_account = registered.groupby(frame["rekening_vendor"].to_numpy()).transform("min")
    accounts = frame.groupby("rekening_vendor")["kode_vendor"].transform("nunique")
    shared = np.where(registered > first_on_account, accounts - 1, 0)
    days = frame["tanggal"].to_numpy().astype("datetime64[D]")
    holiday = ~is_working_day_array(days)
    hour = frame["jam"].to_numpy(dtype=np.float64)
    outside = np.maximum(7.0 - hour, 0.0) + np.maximum(hour - 19.0, 0.0)
    age = (days - frame["vendor_terdaftar"].to_numpy().astype("datetime64[D]")).astype(np.int64)
    return pd.DataFrame(
        {
            "log_nilai": log_amount,
            "z_nilai_vendor": z_vendor,
            "salinan_sebelumnya": earlier.reindex(frame.index).to_numpy(dtype=np.float64),
            "vendor_lain_nilai_sama": day_amount.to_numpy(dtype=np.float64) - 1.0,
            "hari_libur": holiday.astype(np.float64),
            "jam_di_luar_kantor": outside,
            "vendor_serekening": shared.astype(np.float64),
            "umur_vendor_hari": np.clip(age, 0, MAX_AGE_DAYS).astype(np.float64),
            "di_bawah_ambang": below_threshold(amount),
        },
        index=frame.index,
    )


def red_flags(feats: pd.DataFrame, large_amount: float) -> pd.DataFrame:
    """One boolean column per rule of :data:`RULES` (``large_amount``: rupiah, e.g. the top 1%)."""
    return pd.DataFrame(
        {
            "duplikat": feats["salinan_sebelumnya"] > 0,
            "nilai_sama_vendor_lain": feats["vendor_lain_nilai_sama"] > 0,
            "hari_libur": feats["hari_libur"] > 0,
            "di_luar_jam": feats["jam_di_luar_kantor"] > 0,
            "rekening_bersama": feats["vendor_serekening"] > 0,
            "vendor_baru_nilai_besar": (feats["umur_vendor_hari"] < NEW_VENDOR_DAYS)
            & (np.expm1(feats["log_nilai"]) >= large_amount),
            "di_bawah_ambang": feats["di_bawah_ambang"] > 0,
        },
        index=feats.index,
    )
