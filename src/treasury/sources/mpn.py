"""MPN revenue receipts (``mpn_penerimaan``): billing code -> payment at a bank -> NTPN.

Each month's revenue per subkelompok is the calibrated target (:mod:`treasury.sources.profiles`),
to the rupiah. Receipts per subkelompok follow its money (many small tax and fee payments,
few large dividend and oil and gas payments) with lognormal amounts. Booking days are working
days, busier around the tax deadlines (the 10th and the 15th), at month end and on paydays;
about 12% are paid on the preceding non-working days or evening and booked next working day.
Receipts are collected by about 80 banks (a province's own development bank for some) and
attributed to provinces weighted to Jakarta (large taxpayers' offices) and Java; excise to the
tobacco regions, customs to the ports.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from treasury.sources import codes, timing
from treasury.sources.allocate import FloatArray, IntArray, allocate, allocate_groups
from treasury.sources.payments import leaf_accounts
from treasury.sources.profiles import monthly_targets
from treasury.sources.provinces import economic_weight, profiles
from treasury.sources.run import Run
from treasury.sources.schemas import conform
from treasury.sources.seeds import stream

# Collecting banks (3-digit codes) and their share of receipts.
BANKS: dict[str, float] = {
    "002": 18.0, "008": 20.0, "009": 12.0, "014": 12.0, "200": 3.0, "451": 4.0, "011": 2.0,
    "022": 3.0, "013": 1.5, "016": 1.0, "028": 1.5, "019": 1.0, "023": 0.8, "031": 0.8,
    "032": 0.6, "036": 0.4, "037": 0.3, "042": 0.6, "046": 0.5, "050": 0.5, "054": 0.2,
    "061": 0.3, "069": 0.3, "076": 0.1, "087": 0.6, "088": 0.1, "089": 0.2, "095": 0.2,
    "097": 0.3, "110": 1.0, "111": 1.0, "112": 0.3, "113": 0.8, "114": 0.9, "115": 0.2,
    "116": 0.3, "117": 0.4, "118": 0.3, "119": 0.3, "120": 0.3, "121": 0.2, "122": 0.3,
    "123": 0.2, "124": 0.4, "125": 0.1, "126": 0.3, "127": 0.2, "128": 0.1, "129": 0.3,
    "130": 0.1, "131": 0.1, "132": 0.2, "133": 0.1, "134": 0.1, "135": 0.1, "137": 0.2,
    "145": 0.1, "146": 0.1, "147": 0.4, "151": 0.1, "152": 0.1, "153": 0.3, "157": 0.1,
    "161": 0.1, "164": 0.2, "167": 0.1, "212": 0.2, "213": 0.3, "425": 0.2, "426": 0.5,
    "441": 0.3, "484": 0.2, "485": 0.1, "490": 0.1, "494": 0.1, "503": 0.1, "506": 0.1,
    "517": 0.1, "521": 0.1, "535": 0.1, "536": 0.1, "542": 0.1, "547": 0.1,
}  # fmt: skip
# The province's regional development bank (BPD).
BPD = {
    "11": "116", "12": "117", "13": "118", "14": "119", "15": "115", "16": "120", "17": "133",
    "18": "121", "19": "120", "21": "119", "31": "111", "32": "110", "33": "113", "34": "112",
    "35": "114", "36": "137", "51": "129", "52": "128", "53": "130", "61": "123", "62": "125",
    "63": "122", "64": "124", "65": "124", "71": "127", "72": "134", "73": "126", "74": "135",
    "75": "127", "76": "126", "81": "131", "82": "131", "91": "132", "92": "132", "93": "132",
    "94": "132", "95": "132", "96": "132",
}  # fmt: skip
BPD_SHARE = 0.15
EARLY_PAYMENT = 0.12
# Receipts per rupiah (relative) and lognormal spread of amounts, per subkelompok.
_RECEIPTS = {
    "pph": (1.0, 2.2), "ppn": (0.8, 2.0), "pbb": (0.5, 1.8), "pajak_lainnya": (3.0, 1.5),
    "cukai": (0.3, 1.8), "bea_masuk": (0.6, 1.8), "bea_keluar": (0.2, 1.5),
    "sda_migas": (0.01, 1.0), "sda_nonmigas": (0.2, 1.6), "knd": (0.005, 1.0),
    "blu": (1.0, 1.6), "pnbp_lainnya": (3.0, 1.6), "hibah": (0.05, 1.2),
}  # fmt: skip
_ACCOUNT_WEIGHTS = {
    "411121": 25, "411126": 28, "411128": 12, "411123": 8, "411122": 5, "411124": 5,
    "411125": 3, "411127": 4, "411111": 4, "411112": 3, "411211": 60, "411212": 33,
    "411511": 95, "411513": 4,
}  # fmt: skip
# Provinces that collect a subkelompok (multipliers of the economic weight).
_WHERE: dict[str, dict[str, float]] = {
    "tax": {"31": 8.0},
    "cukai": {"35": 40.0, "33": 12.0, "32": 3.0},
    "customs": {"31": 6.0, "35": 2.0, "36": 2.0, "21": 4.0, "12": 1.5},
    "bea_keluar": {"14": 15.0, "64": 15.0, "63": 10.0, "16": 5.0, "61": 4.0, "72": 8.0},
    "central": {"31": 1000.0},
}
_WHERE_OF = {
    "pph": "tax", "ppn": "tax", "pbb": "tax", "pajak_lainnya": "tax", "cukai": "cukai",
    "bea_masuk": "customs", "bea_keluar": "bea_keluar", "sda_migas": "central", "knd": "central",
    "hibah": "central",
}  # fmt: skip
_BILLING_FIRST = {"perpajakan_djp": 0, "perpajakan_djbc": 4, "pnbp": 7, "hibah": 8}


def _province_cumulative(kind: str) -> FloatArray:
    w = economic_weight().copy()
    for i, code in enumerate(profiles().kode):
        w[i] *= _WHERE.get(kind, {}).get(code, 1.0)
    return np.cumsum(w / w.sum())


def _day_weights(year: int, month: int, sub: str) -> FloatArray:
    lo, hi = timing.month_slice(year, month)
    days = timing.workdays(year)[lo:hi]
    dom = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    w = np.ones(hi - lo)
    if sub in ("pph", "ppn", "pajak_lainnya"):
        for deadline in (10, 15):
            w[max(int(np.searchsorted(dom, deadline, side="right")) - 1, 0)] *= 4.0
        w[-2:] *= 3.0
        w[:2] *= 1.5
    elif sub in ("cukai", "bea_masuk", "bea_keluar"):
        w[-3:] *= 2.0
    return w / w.sum()


def receipts_per_month(run: Run, year: int) -> IntArray:
    """Number of receipts in each month of ``year``."""
    key = ("mpn_rows", year)
    if key not in run.cache:
        per_year = run.per_year(run.scale.mpn_receipts, "pendapatan", "")
        _, matrix = monthly_targets(year, "pendapatan")
        run.cache[key] = allocate(per_year[year], matrix.sum(axis=0).astype(np.float64) ** 0.7)
    return run.cache[key]  # type: ignore[return-value]


def _ntpn(year: int, month: int, n: int) -> pa.Array:
    key = ((year - 2000) * 12 + month) * 10**9 + np.arange(n, dtype=np.int64)
    unique = codes.base36(codes.permute(key, 36**5, year * 100 + month), 10)
    noise = codes.base36((codes.mix64(key) % np.uint64(36**6)).astype(np.int64), 6)
    return codes.fixed_width(np.hstack([noise, unique]))


def mpn_penerimaan(run: Run, year: int, month: int) -> pa.Table:
    """The revenue receipts booked in one month (up to the as-of date).

    Examples
    --------
    >>> import datetime as dt
    >>> table = mpn_penerimaan(Run.create("tiny", 1, dt.date(2024, 12, 31)), 2023, 4)
    >>> table.column_names[:3], table.num_rows > 0
    (['kode_billing', 'ntpn', 'waktu_bayar'], True)
    """
    rng = stream(run.seed, "mpn_penerimaan", year, month)
    targets, matrix = monthly_targets(year, "pendapatan")
    values = matrix[:, month - 1]
    affinity = np.array([_RECEIPTS[t.subkelompok][0] for t in targets])
    n = int(receipts_per_month(run, year)[month - 1])
    counts = allocate(max(n - len(targets), 0), values.astype(np.float64) ** 0.7 * affinity)
    counts += values > 0
    sub = np.repeat(np.arange(len(targets)), counts)
    sigma = np.array([_RECEIPTS[t.subkelompok][1] for t in targets])[sub]
    nilai = allocate_groups(values, sub, rng.lognormal(0.0, sigma), 1)
    accounts = np.empty(sub.size, dtype="<U6")
    province = np.empty(sub.size, dtype="<U2")
    day = np.empty(sub.size, dtype=np.int64)
    lo, _ = timing.month_slice(year, month)
    prov_codes = np.array(profiles().kode)
    for i, t in enumerate(targets):
        here = np.flatnonzero(sub == i)
        options = np.array(leaf_accounts()[t.subkelompok])
        w = np.array([_ACCOUNT_WEIGHTS.get(a, 1.0) for a in options])
        accounts[here] = options[np.searchsorted(np.cumsum(w) / w.sum(), rng.random(here.size))]
        cum = _province_cumulative(_WHERE_OF.get(t.subkelompok, "other"))
        province[here] = prov_codes[np.searchsorted(cum, rng.random(here.size))]
        dw = np.cumsum(_day_weights(year, month, t.subkelompok))
        day[here] = lo + np.minimum(np.searchsorted(dw, rng.random(here.size)), len(dw) - 1)
    days = timing.workdays(year)
    booked = days[day]
    previous = np.where(day > 0, days[np.maximum(day - 1, 0)], booked - np.timedelta64(1, "D"))
    gap = (booked - previous).astype(np.int64)
    early = rng.random(sub.size) < EARLY_PAYMENT
    back = np.where(early, 1 + (rng.random(sub.size) * gap).astype(np.int64), 0)
    hour = np.where(early, rng.random(sub.size) * 24, 7 + rng.beta(2.0, 2.5, sub.size) * 14)
    seconds = (hour * 3600).astype(np.int64)
    waktu = (booked - back.astype("timedelta64[D]")).astype("datetime64[s]") + seconds.astype(
        "timedelta64[s]"
    )
    bank_codes = np.array(list(BANKS))
    bank_w = np.cumsum(np.array(list(BANKS.values())) / sum(BANKS.values()))
    bank = bank_codes[np.minimum(np.searchsorted(bank_w, rng.random(sub.size)), len(bank_w) - 1)]
    bank = np.where(rng.random(sub.size) < BPD_SHARE, np.vectorize(BPD.get)(province), bank)
    order = np.argsort(waktu, kind="stable")
    keep = booked[order] <= np.datetime64(run.as_of, "D")
    order = order[keep]
    kind = np.array([_billing_kind(t.kelompok, t.subkelompok) for t in targets])[sub][order]
    billing = kind * 10**14 + (
        codes.mix64(sub[order], day[order], rng.integers(0, 2**62, order.size)) % np.uint64(10**14)
    ).astype(np.int64)
    return conform(
        "mpn_penerimaan",
        {
            "kode_billing": codes.digits(billing, 15),
            "ntpn": _ntpn(year, month, order.size),
            "waktu_bayar": pa.array(waktu[order].astype("datetime64[us]")),
            "tanggal_buku": pa.array(booked[order]),
            "kode_akun": pa.array(accounts[order]),
            "kode_bank": pa.array(bank[order]),
            "kode_provinsi": pa.array(province[order]),
            "nilai": nilai[order],
        },
    )


def _billing_kind(kelompok: str, subkelompok: str) -> int:
    """First digit of the billing code: DJP taxes 0-3, customs and excise 4-6, PNBP 7-9."""
    if kelompok == "perpajakan":
        customs = subkelompok in ("cukai", "bea_masuk", "bea_keluar")
        return _BILLING_FIRST["perpajakan_djbc" if customs else "perpajakan_djp"]
    return _BILLING_FIRST.get(kelompok, 9)
