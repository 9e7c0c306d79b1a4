"""Kinds of central-government payments: one stream per spending subkelompok (subsidies per
programme), with who pays, on which accounts, in which size tiers and how.

A stream's ``tiers`` are its affinity to the three value tiers of :mod:`treasury.sources.sp2d`
(small, mid, huge): interest, subsidies, pensions and other BUN spending carry the huge
payments; salaries and goods are mostly small and mid payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyarrow.compute as pc

from treasury import reference
from treasury.sources.calibration import (
    SUBKELOMPOK_SHARES,
    SUBSIDY_PROGRAM_SUBKELOMPOK,
)


@dataclass(frozen=True)
class Stream:
    """One kind of payment."""

    kelompok: str
    subkelompok: str
    program: str
    role: str
    accounts: tuple[str, ...]
    account_weights: tuple[float, ...]
    tiers: tuple[float, float, float]
    lines_per_doc: float
    ls_share: float
    penerima: str
    ministries: tuple[tuple[str, float], ...] = ()
    sequential: bool = False

    @property
    def name(self) -> str:
        """The subkelompok, or the subsidy programme."""
        return self.program or self.subkelompok


GAJI_PNS = ("511111", "511121", "511122", "511126", "511129", "511125", "511124", "511123")
GAJI_TNI_POLRI = ("511211", "511221", "511222", "511228", "511229")
TNI_POLRI_BA = ("012", "060")
_PROGRAM_ACCOUNTS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "bbm": (("551111",), (1.0,)),
    "lpg_3kg": (("551112",), (1.0,)),
    "listrik": (("551211",), (1.0,)),
    "pupuk": (("552111", "552113"), (0.9, 0.1)),
    "pso": (("552211", "552212", "552219"), (0.6, 0.3, 0.1)),
    "bunga_kur": (("552311", "552312", "552112", "552411"), (0.7, 0.15, 0.05, 0.1)),
}
_BUN_ROLE = {
    "kontribusi_sosial": "pensiun",
    "bunga_dalam_negeri": "utang_sbn",
    "bunga_luar_negeri": "utang_pinjaman",
    "biaya_utang": "utang_sbn",
    "hibah_dalam_negeri": "hibah",
    "hibah_luar_negeri": "hibah",
    "lain_lain": "lain",
}
_TIERS: dict[str, tuple[float, float, float]] = {
    "belanja_pegawai": (1.0, 2.0, 0.0),
    "belanja_barang": (1.0, 1.0, 0.2),
    "belanja_modal": (1.0, 2.0, 0.3),
    "bunga": (0.01, 1.0, 6.0),
    "subsidi": (0.01, 1.0, 6.0),
    "hibah": (0.2, 1.0, 1.0),
    "bansos": (0.2, 1.0, 1.5),
    "belanja_lain": (0.1, 1.0, 3.0),
}
# Ministries that carry a kelompok more (multipliers of their satker weights); bansos is paid
# only by these ministries.
_MINISTRIES: dict[str, tuple[tuple[str, float], ...]] = {
    "belanja_pegawai": (("012", 3.0), ("060", 3.0), ("025", 2.0), ("023", 1.5), ("013", 1.5)),
    "belanja_modal": (("033", 4.0), ("012", 2.0), ("022", 3.0), ("060", 1.5), ("025", 0.4)),
    "bansos": (("027", 0.55), ("024", 0.25), ("023", 0.10), ("025", 0.05), ("103", 0.03)),
}
_PENERIMA = {
    "belanja_pegawai": "pegawai",
    "belanja_barang": "pihak_ketiga",
    "belanja_modal": "badan_usaha",
    "bunga": "lembaga",
    "subsidi": "badan_usaha",
    "hibah": "lembaga",
    "bansos": "lembaga",
    "belanja_lain": "badan_usaha",
}
_LS_SHARE = {"belanja_barang": 0.55, "belanja_modal": 0.9}


@cache
def leaf_accounts() -> dict[str, tuple[str, ...]]:
    table = reference.accounts().filter(pc.field("level") == 6)
    out: dict[str, list[str]] = {}
    for code, sub in zip(
        table["kode_akun"].to_pylist(), table["subkelompok"].to_pylist(), strict=True
    ):
        out.setdefault(sub, []).append(code)
    return {k: tuple(v) for k, v in out.items()}


def _stream(kelompok: str, subkelompok: str, program: str = "") -> Stream:
    if program:
        accounts, weights = _PROGRAM_ACCOUNTS[program]
    elif subkelompok == "gaji_tunjangan":
        accounts, weights = GAJI_PNS, tuple(1.0 for _ in GAJI_PNS)
    else:
        accounts = leaf_accounts()[subkelompok]
        weights = tuple(2.0 if i == 0 else 1.0 for i in range(len(accounts)))
    role = program or _BUN_ROLE.get(subkelompok, "")
    return Stream(
        kelompok=kelompok,
        subkelompok=subkelompok,
        program=program,
        role=role,
        accounts=accounts,
        account_weights=weights,
        tiers=_TIERS[kelompok] if subkelompok != "kontribusi_sosial" else (0.05, 1.0, 3.0),
        lines_per_doc=4.0 if subkelompok == "gaji_tunjangan" else 1.3,
        ls_share=1.0 if role else _LS_SHARE.get(kelompok, 1.0),
        penerima="badan_usaha" if subkelompok == "kontribusi_sosial" else _PENERIMA[kelompok],
        ministries=() if role else _MINISTRIES.get(kelompok, ()),
        sequential=subkelompok == "gaji_tunjangan",
    )


@cache
def streams() -> tuple[Stream, ...]:
    """All payment streams of central spending (accounts 51-58), in a fixed order.

    Examples
    --------
    >>> [s.name for s in streams() if s.kelompok == "subsidi"][:3]
    ['bbm', 'lpg_3kg', 'listrik']
    """
    out = []
    for kelompok, shares in SUBKELOMPOK_SHARES.items():
        out += [_stream(kelompok, sub) for sub in shares]
    out += [
        _stream("subsidi", sub, program) for program, sub in SUBSIDY_PROGRAM_SUBKELOMPOK.items()
    ]
    return tuple(out)
