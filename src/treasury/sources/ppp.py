"""Synthetic payment-platform (PPP) transactions between satker and vendors, with injected anomalies.

Normal payments: each satker pays a fixed circle of vendors on working days in office hours;
a vendor's amounts are lognormal around its own median. Legitimate look-alikes are mixed in on
purpose (honoraria of one standard amount paid to many payees on one day, a little overtime
work after hours) so that the red-flag rules are not perfect.

Six patterns are injected, each row labelled in ``pola`` (empty for normal rows):

| pola | what is injected |
|---|---|
| ``duplikat`` | a payment repeated: same satker, vendor, amount and date |
| ``nilai_sama_vendor_lain`` | the same amount on the same date from the same satker to another vendor |
| ``di_luar_jam`` | paid on a weekend or holiday, or between 20:00 and 05:00 |
| ``rekening_bersama`` | a vendor registered with another vendor's bank account |
| ``vendor_baru_nilai_besar`` | a vendor registered days before a payment in the top 1% |
| ``di_bawah_ambang`` | an amount 0.5-4% below a procurement threshold (Rp 100 juta or 200 juta) |
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from treasury.reference import is_working_day_array, working_dates
from treasury.sources.seeds import stream

#: Procurement thresholds (rupiah): direct procurement of consultancy and of goods/works.
THRESHOLDS = (100_000_000, 200_000_000)

#: The injected patterns, in the order of the module table.
PATTERNS = (
    "duplikat",
    "nilai_sama_vendor_lain",
    "di_luar_jam",
    "rekening_bersama",
    "vendor_baru_nilai_besar",
    "di_bawah_ambang",
)


def _vendors(rng: np.random.Generator, count: int, year: int) -> pd.DataFrame:
    start = np.datetime64(f"{year - 6}-01-01")
    registered = start + rng.integers(0, 5 * 365, count).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "kode_vendor": [f"V{i:07d}" for i in range(count)],
            "rekening_vendor": [f"{1000000000 + i * 7919:010d}" for i in range(count)],
            "vendor_terdaftar": registered,
            "median_log": rng.normal(16.8, 1.3, count),
        }
    )


def generate_ppp(rows: int, seed: int = 7, year: int = 2025, rate: float = 0.012) -> pd.DataFrame:
    """``rows`` normal payments plus about ``rate`` x rows injected anomalies, shuffled.

    Columns: ``id_transaksi``, ``kode_satker``, ``kode_vendor``, ``rekening_vendor``,
    ``vendor_terdaftar`` (date), ``tanggal`` (date), ``jam`` (hour of day, 0-24), ``nilai``
    (rupiah, int64), ``pola`` (injected pattern or ""), ``anomali`` (bool).
    """
    if rows < 100:
        raise ValueError("rows must be at least 100")
    rng = stream(seed, "ppp", year)
    n_satker = max(20, rows // 250)
    n_vendor = max(60, rows // 40)
    vendors = _vendors(rng, n_vendor, year)
    days = working_dates(f"{year}-01-01", f"{year}-12-31")

    # Each satker pays a circle of vendors: vendor = (satker's offset + small index) mod n.
    satker = rng.integers(0, n_satker, rows)
    offset = (satker * 7919) % n_vendor
    vendor = (offset + rng.geometric(0.08, rows)) % n_vendor
    log_amount = vendors["median_log"].to_numpy()[vendor] + rng.normal(0, 0.45, rows)
    amount = np.round(np.exp(log_amount), -3)
    date = days[rng.integers(0, days.size, rows)]
    hour = np.clip(rng.normal(11.5, 2.0, rows), 7.5, 16.5)
    overtime = rng.random(rows) < 0.004
    hour[overtime] = rng.uniform(17.0, 21.5, overtime.sum())
    # Honoraria: one standard amount to many payees of a satker on one day.
    honor = rng.random(rows) < 0.01
    amount[honor] = rng.choice([1_500_000, 2_500_000, 5_000_000], honor.sum())
    honor_day = days[rng.integers(0, 12, n_satker) * 20 % days.size]
    date[honor] = honor_day[satker[honor]]

    frame = pd.DataFrame(
        {
            "kode_satker": [f"{600000 + s:06d}" for s in satker],
            "vendor": vendor,
            "tanggal": date,
            "jam": hour,
            "nilai": amount.astype(np.int64),
            "pola": "",
        }
    )
    injected = [frame]
    per_pattern = max(2, int(rows * rate / len(PATTERNS)))
    pick = rng.integers(0, rows, (len(PATTERNS), per_pattern))

    dup = frame.iloc[pick[0]].copy()
    dup["jam"] = np.minimum(dup["jam"] + rng.uniform(0.05, 2.0, per_pattern), 16.9)
    dup["pola"] = "duplikat"
    injected.append(dup)

    same = frame.iloc[pick[1]].copy()
    same["vendor"] = (same["vendor"] + rng.integers(1, 25, per_pattern)) % n_vendor
    same["pola"] = "nilai_sama_vendor_lain"
    injected.append(same)

    late = frame.iloc[pick[2]].copy()
    weekend = rng.random(per_pattern) < 0.5
    all_days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    off_days = all_days[~is_working_day_array(all_days)]
    late.loc[weekend, "tanggal"] = off_days[rng.integers(0, off_days.size, weekend.sum())]
    night = rng.uniform(20.0, 29.0, (~weekend).sum()) % 24
    late.loc[~weekend, "jam"] = night
    late["pola"] = "di_luar_jam"
    injected.append(late)

    # Shell vendors: new codes with an existing vendor's account, paid by a satker.
    shells = max(1, per_pattern // 3)
    shell_codes = n_vendor + np.arange(shells)
    copied = rng.integers(0, n_vendor, shells)
    shared = frame.iloc[pick[3]].copy()
    shared["vendor"] = shell_codes[np.arange(per_pattern) % shells]
    shared["pola"] = "rekening_bersama"
    injected.append(shared)

    new_codes = n_vendor + shells + np.arange(per_pattern)
    big = frame.iloc[pick[4]].copy()
    big["vendor"] = new_codes
    top = np.quantile(frame["nilai"], 0.99)
    big["nilai"] = np.round(top * rng.uniform(1.0, 4.0, per_pattern), -3).astype(np.int64)
    big["pola"] = "vendor_baru_nilai_besar"
    injected.append(big)

    below = frame.iloc[pick[5]].copy()
    limit = np.array(THRESHOLDS)[rng.integers(0, len(THRESHOLDS), per_pattern)]
    below["nilai"] = np.round(limit * (1 - rng.uniform(0.005, 0.04, per_pattern)), -3).astype(
        np.int64
    )
    below["pola"] = "di_bawah_ambang"
    injected.append(below)

    out = pd.concat(injected, ignore_index=True)
    extra = pd.DataFrame(
        {
            "kode_vendor": [f"V{i:07d}" for i in np.concatenate([shell_codes, new_codes])],
            "rekening_vendor": np.concatenate(
                [
                    vendors["rekening_vendor"].to_numpy()[copied],
                    [f"{9000000000 + i:010d}" for i in new_codes],
                ]
            ),
            "vendor_terdaftar": np.concatenate(
                [
                    np.full(shells, np.datetime64(f"{year - 1}-06-01")),
                    big["tanggal"].to_numpy()
                    - rng.integers(1, 30, per_pattern).astype("timedelta64[D]"),
                ]
            ),
        }
    )
    registry = pd.concat([vendors.drop(columns="median_log"), extra], ignore_index=True)
    out = out.join(registry, on="vendor").drop(columns="vendor")
    out = out.sample(
        frac=1.0, random_state=np.random.RandomState(rng.integers(0, 2**31))
    ).reset_index(drop=True)
    out.insert(0, "id_transaksi", [f"PPP{year}{i:08d}" for i in range(len(out))])
    out["tanggal"] = out["tanggal"].astype("datetime64[s]")
    out["vendor_terdaftar"] = out["vendor_terdaftar"].astype("datetime64[s]")
    out["anomali"] = out["pola"] != ""
    return out[
        [
            "id_transaksi",
            "kode_satker",
            "kode_vendor",
            "rekening_vendor",
            "vendor_terdaftar",
            "tanggal",
            "jam",
            "nilai",
            "pola",
            "anomali",
        ]
    ]
