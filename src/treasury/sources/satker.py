"""Spending units (satker): the ``span_satker`` master and what payments need to know of them.

About 19,000 satker (scaled): every ministry has its secretariat in Jakarta, a few more head
offices, and regional units named by the patterns of :mod:`treasury.sources.units`, placed in
kab/kota weighted by population with Jakarta and Java denser. The Bendahara Umum Negara (BA 999)
has one satker per role (debt, grants, each subsidy programme, pensions, other spending) in
Jakarta, paid through the special KPPN offices. Each satker pays through the KPPN of its
kab/kota (``reference.kppn_kabkota``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from treasury import reference
from treasury.sources import units
from treasury.sources.allocate import FloatArray, IntArray, allocate
from treasury.sources.provinces import economic_weight, profiles
from treasury.sources.scale import Scale
from treasury.sources.seeds import stream

StrArray = npt.NDArray[np.str_]
_TECH_PROGRAMS = ("DA", "DB", "DC", "DE", "CB", "CE", "FA", "FB", "GF", "HB", "DH", "CD", "EB")
_TECH_KRO = ("QDC", "RBS", "BDB", "CAN", "PEG", "SCD", "UAB", "QIB", "RAB", "BAH", "QEA")
_WA_OUTPUTS = np.array(["EBA994", "EBA956", "EBB951", "EBD953", "EBA962"])
_BUN_PROGRAMS = {"01": "PU", "02": "PH", "03": "PI", "04": "PP", "05": "PT", "07": "PS", "08": "PL"}
JAKARTA = ("3171", "3172", "3173", "3174", "3175")
LEVEL_FACTOR = {"pusat": 3.0, "prov": 1.5, "kab": 1.0}


@dataclass(frozen=True)
class SatkerSet:
    """The satker of one run: the ``span_satker`` table plus arrays the payment generators use.

    Arrays are aligned with the table's rows. ``role`` is empty for ministries' satker and names
    the BUN function (``utang_sbn``, ``bbm``, ``pensiun``, ...) for BA 999.
    """

    table: pa.Table
    kode_satker: StrArray
    kode_ba: StrArray
    kode_kppn: StrArray
    kode_provinsi: StrArray
    role: StrArray
    weight: FloatArray
    program_wa: StrArray
    program_tech: StrArray
    kegiatan_wa: StrArray
    kegiatan_tech: StrArray
    output_wa: StrArray
    output_tech: StrArray
    index_of_role: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.table.num_rows


def _code(text: str, modulo: int) -> int:
    return zlib.crc32(text.encode("utf-8")) % modulo


def _weighted_without_replacement(
    rng: np.random.Generator, weights: FloatArray, k: int
) -> tuple[IntArray, IntArray]:
    """``k`` draws, distinct until every item is used (Gumbel top-k), and the round of each."""
    n = len(weights)
    keys = np.log(np.maximum(weights, 1e-300)) + rng.gumbel(size=n)
    order = np.argsort(-keys)
    draws = np.arange(k)
    return order[draws % n].astype(np.int64), (draws // n).astype(np.int64)


def _roman(rounds: IntArray) -> StrArray:
    numerals = np.array(["", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X"])
    return numerals[np.minimum(rounds, len(numerals) - 1)]


def _regions(rng: np.random.Generator) -> tuple[StrArray, StrArray, FloatArray, StrArray]:
    """Kab/kota codes and upper-case names, their weights, and the province capitals."""
    kk = reference.kabkota()
    codes = np.array(kk["kode_kabkota"].to_pylist())
    names = np.strings.upper(np.array(kk["nama"].to_pylist()))
    prov = np.array(kk["kode_provinsi"].to_pylist())
    p = profiles()
    econ = dict(zip(p.kode, economic_weight(), strict=True))
    per_prov = {c: int((prov == c).sum()) for c in set(prov.tolist())}
    kota = np.strings.startswith(np.array(kk["jenis"].to_pylist()), "kota")
    w = np.array([econ.get(c, 0.001) / per_prov[c] for c in prov]) * np.where(kota, 1.5, 1.0)
    w *= rng.lognormal(0.0, 0.5, len(w))
    capitals = []
    for code in p.kode:
        cap = units.CAPITALS.get(code, "")
        in_prov = codes[prov == code]
        capitals.append(cap if cap in in_prov else in_prov[0])
    return codes, names, w, np.array(capitals)


def _ministry_counts(n_kl: int, ministries: list[dict[str, object]]) -> IntArray:
    w = np.array(
        [units.REAL_COUNTS.get(str(m["kode_ba"]), units.DEFAULT_COUNT) for m in ministries]
    )
    if n_kl >= len(ministries):
        return 1 + allocate(n_kl - len(ministries), w)
    return allocate(n_kl, w)


def _ministry_block(
    m: dict[str, object],
    count: int,
    rng: np.random.Generator,
    regions: tuple[StrArray, StrArray, FloatArray, StrArray, StrArray, FloatArray],
) -> tuple[StrArray, StrArray, StrArray, FloatArray]:
    """Names, eselon I codes, kab/kota and spending weights of one ministry's satker."""
    kab_codes, kab_names, kab_w, capital_kab, prov_names, prov_w = regions
    ba, nama = str(m["kode_ba"]), str(m["nama"]).upper()
    n_central = 1 + min(round(units.CENTRAL_SHARE * (count - 1)), units.MAX_CENTRAL - 1)
    idx = np.arange(n_central)
    unit = np.array(units.CENTRAL_UNITS)[idx % len(units.CENTRAL_UNITS)]
    head = "SEKRETARIAT JENDERAL" if nama.startswith("KEMENTERIAN") else "SEKRETARIAT UTAMA"
    unit = np.where(unit == "SEKRETARIAT", head, unit)
    names = [np.strings.add(np.strings.add(np.strings.add(unit, " "), nama), _roman(idx // 6))]
    es1 = [np.where(idx == 0, "01", np.char.zfill((2 + idx % 8).astype(str), 2))]
    kab = [rng.choice(np.array(JAKARTA), n_central)]
    factor = [np.full(n_central, LEVEL_FACTOR["pusat"])]
    templates = units.TEMPLATES.get(ba, units.GENERIC)
    split = allocate(count - n_central, [t[2] for t in templates])
    for (pattern, level, _, code), k in zip(templates, split, strict=True):
        if k == 0:
            continue
        pattern = pattern.replace("{singkatan}", str(m["singkatan"]).upper())
        if level == "kab":
            pick, rounds = _weighted_without_replacement(rng, kab_w, int(k))
            where, loc = kab_codes[pick], kab_names[pick]
        else:
            pick, rounds = _weighted_without_replacement(rng, prov_w, int(k))
            where, loc = capital_kab[pick], prov_names[pick]
        text = np.strings.replace(np.full(int(k), pattern), "{" + level + "}", loc)
        if "{n}" in pattern:
            text = np.strings.replace(text, "{n}", (rounds + 1).astype(str))
        else:
            text = np.strings.add(text, _roman(rounds))
        names.append(text)
        es1.append(np.full(int(k), code))
        kab.append(where)
        factor.append(np.full(int(k), LEVEL_FACTOR[level]))
    size = np.concatenate(factor) * rng.lognormal(0.0, 1.0, count)
    weight = size / size.sum() * float(str(m["bobot_belanja"]))
    return np.concatenate(names), np.concatenate(es1), np.concatenate(kab), weight


def _programs(
    ba: StrArray, es1: StrArray, rng: np.random.Generator
) -> tuple[StrArray, StrArray, StrArray, StrArray, StrArray, StrArray]:
    """Program, kegiatan and output codes of each satker: management support (WA) and one
    technical program of its eselon I unit."""
    n = len(ba)
    unit = np.strings.add(ba, es1)
    uniq, inverse = np.unique(unit, return_inverse=True)
    tech_code = np.array([_TECH_PROGRAMS[_code(u, len(_TECH_PROGRAMS))] for u in uniq])[inverse]
    keg_base = np.array([1000 + _code(u, 8000) for u in uniq])[inverse]
    program_wa = np.strings.add(np.strings.add(ba, "01"), "WA")
    program_tech = np.strings.add(unit, tech_code)
    kegiatan_wa = np.char.zfill((keg_base % 997 + 1000 + rng.integers(0, 3, n)).astype(str), 4)
    kegiatan_tech = np.char.zfill((keg_base + rng.integers(0, 5, n)).astype(str), 4)
    output_wa = _WA_OUTPUTS[rng.integers(0, len(_WA_OUTPUTS), n)]
    kro = np.array(_TECH_KRO)[rng.integers(0, len(_TECH_KRO), n)]
    output_tech = np.strings.add(kro, np.char.zfill(rng.integers(1, 10, n).astype(str), 3))
    return program_wa, program_tech, kegiatan_wa, kegiatan_tech, output_wa, output_tech


@cache
def build_satker(scale: Scale, seed: int) -> SatkerSet:
    """The satker of a run (deterministic by ``seed``; size ``scale.satker``).

    Examples
    --------
    >>> from treasury.sources.scale import get_scale
    >>> s = build_satker(get_scale("tiny"), 1)
    >>> len(s), s.table.column_names[:2]
    (300, ['kode_satker', 'nama_satker'])
    """
    rng = stream(seed, "span_satker")
    kab_codes, kab_names, kab_w, capitals = _regions(rng)
    prov_table = reference.provinces()
    prov_name_of = dict(
        zip(prov_table["kode_provinsi"].to_pylist(), prov_table["nama"].to_pylist(), strict=True)
    )
    prov_names = np.strings.upper(np.array([prov_name_of[c] for c in profiles().kode]))
    regions = (kab_codes, kab_names, kab_w, capitals, prov_names, economic_weight())
    ministries = [m for m in reference.ministries().to_pylist() if m["jenis"] == "kl"]
    counts = _ministry_counts(scale.satker - len(units.BUN_UNITS), ministries)
    names, bas, es1s, kabs, weights = [], [], [], [], []
    for m, count in zip(ministries, counts, strict=True):
        if count == 0:
            continue
        nama, es1, kab, weight = _ministry_block(m, int(count), rng, regions)
        names.append(nama)
        bas.append(np.full(len(nama), str(m["kode_ba"])))
        es1s.append(es1)
        kabs.append(kab)
        weights.append(weight)
    n_bun = len(units.BUN_UNITS)
    names.append(np.array([u[2] for u in units.BUN_UNITS]))
    bas.append(np.full(n_bun, "999"))
    es1s.append(np.array([u[1] for u in units.BUN_UNITS]))
    kabs.append(np.full(n_bun, "3171"))
    weights.append(np.zeros(n_bun))
    role = np.concatenate(
        [np.full(sum(len(a) for a in names[:-1]), ""), [u[0] for u in units.BUN_UNITS]]
    )
    return _assemble(
        np.concatenate(names),
        np.concatenate(bas),
        np.concatenate(es1s),
        np.concatenate(kabs),
        np.concatenate(weights),
        role,
        rng,
    )


def _assemble(
    nama: StrArray,
    ba: StrArray,
    es1: StrArray,
    kab: StrArray,
    weight: FloatArray,
    role: StrArray,
    rng: np.random.Generator,
) -> SatkerSet:
    n = len(nama)
    codes = np.char.zfill((100000 + rng.choice(900000, n, replace=False)).astype(str), 6)
    mapping = reference.kppn_kabkota()
    kppn_of = dict(
        zip(mapping["kode_kabkota"].to_pylist(), mapping["kode_kppn"].to_pylist(), strict=True)
    )
    bun_kppn = {u[0]: u[3] for u in units.BUN_UNITS}
    kppn = np.array([bun_kppn.get(r) or kppn_of[k] for r, k in zip(role, kab, strict=True)])
    prov = np.strings.slice(kab, 0, 2)
    table = pa.table(
        {
            "kode_satker": pa.array(codes, pa.string()),
            "nama_satker": pa.array(nama, pa.string()),
            "kode_ba": pa.array(ba, pa.string()),
            "kode_eselon1": pa.array(es1, pa.string()),
            "kode_kppn": pa.array(kppn, pa.string()),
            "kode_provinsi": pa.array(prov, pa.string()),
            "kode_kabkota": pa.array(kab, pa.string()),
        }
    )
    programs = _programs(ba, es1, rng)
    bun = role != ""
    section = np.array([_BUN_PROGRAMS.get(e, "PL") for e in es1])
    program_bun = np.strings.add(np.strings.add(ba, es1), section)
    program_wa = np.where(bun, program_bun, programs[0])
    program_tech = np.where(bun, program_bun, programs[1])
    return SatkerSet(
        table=table,
        kode_satker=codes,
        kode_ba=ba,
        kode_kppn=kppn,
        kode_provinsi=prov,
        role=role,
        weight=weight,
        program_wa=program_wa,
        program_tech=program_tech,
        kegiatan_wa=np.where(bun, "9901", programs[2]),
        kegiatan_tech=np.where(bun, np.strings.add("99", es1), programs[3]),
        output_wa=np.where(bun, "ZAA001", programs[4]),
        output_tech=np.where(bun, "ZAB001", programs[5]),
        index_of_role={str(r): i for i, r in enumerate(role) if r},
    )
