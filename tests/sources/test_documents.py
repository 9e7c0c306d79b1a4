"""Documents are consistent with each other, with the calendar and with the as-of date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from treasury import reference
from treasury.sources.generate import generate
from treasury.sources.mpn import mpn_penerimaan
from treasury.sources.run import Run
from treasury.sources.sp2d import generate_month
from treasury.sources.subsidi import PROGRAMS

Extract = Callable[[str], pa.Table]


def test_sp2d_numbers_dates_and_codes(extract: Extract) -> None:
    sp2d = extract("span_sp2d")
    keys = pa.table({"n": sp2d["nomor_sp2d"], "b": sp2d["baris"]})
    assert keys.group_by(["n", "b"]).aggregate([]).num_rows == sp2d.num_rows
    numbers = sp2d["nomor_sp2d"].to_numpy(zero_copy_only=False).astype(str)
    assert np.all(np.strings.str_len(numbers) == 15) and np.all(np.strings.isdigit(numbers))
    assert pc.all(pc.less_equal(sp2d["tanggal_spm"], sp2d["tanggal_sp2d"])).as_py()
    assert pc.all(pc.equal(pc.year(sp2d["tanggal_spm"]), pc.year(sp2d["tanggal_sp2d"]))).as_py()
    assert pc.all(pc.greater(sp2d["nilai"], 0)).as_py()
    rekening = pc.utf8_length(sp2d["rekening_penerima"])
    assert pc.min(rekening).as_py() >= 10 and pc.max(rekening).as_py() <= 16
    assert set(sp2d["jenis_pembayaran"].unique().to_pylist()) == {"LS", "UP", "GUP", "TUP"}
    salaries = sp2d.filter(pc.starts_with(sp2d["kode_akun"], "5111"))
    assert set(salaries["jenis_pembayaran"].unique().to_pylist()) == {"LS"}
    assert set(salaries["jenis_penerima"].unique().to_pylist()) == {"pegawai"}
    days = sp2d["tanggal_sp2d"].to_numpy().astype("datetime64[D]")
    assert reference.is_working_day_array(days).mean() > 0.99
    assert pc.all(pc.utf8_is_digit(sp2d["kode_kegiatan"])).as_py()
    bun = sp2d.filter(pc.match_substring_regex(sp2d["kode_akun"], "^5[45]"))
    assert set(bun["kode_ba"].unique().to_pylist()) == {"999"}
    assert set(bun["kode_kppn"].unique().to_pylist()) <= {"901", "902", "903"}
    assert "Pembayaran gaji induk bulan Maret 2023" in set(sp2d["uraian"].unique().to_pylist())


def test_sakti_spm_matches_sp2d(extract: Extract, as_of: dt.date) -> None:
    sp2d, spm = extract("span_sp2d"), extract("sakti_spm")
    assert spm.group_by("nomor_spm").aggregate([]).num_rows == spm.num_rows
    docs = sp2d.group_by(["nomor_spm", "nomor_sp2d", "kode_satker", "kode_kppn"]).aggregate(
        [("nilai", "sum")]
    )
    joined = docs.join(spm, "nomor_spm", join_type="left outer", right_suffix="_spm")
    assert joined["nilai_spm"].null_count == 0
    assert pc.all(pc.equal(joined["nilai_sum"], joined["nilai_spm"])).as_py()
    assert pc.all(pc.equal(joined["nomor_sp2d"], joined["nomor_sp2d_spm"])).as_py()
    assert pc.all(pc.equal(joined["kode_satker"], joined["kode_satker_spm"])).as_py()
    paid = spm.filter(pc.is_valid(spm["nomor_sp2d"]))
    assert paid.num_rows == docs.num_rows
    minutes = pc.minutes_between(paid["waktu_unggah"], paid["waktu_sp2d"]).to_numpy()
    assert minutes.min() >= 0
    assert 0.88 <= (minutes <= 60).mean() <= 0.96
    hours = pc.hour(spm["waktu_unggah"]).to_numpy()
    assert hours.min() >= 8 and hours.max() <= 16
    pending = spm.filter(pc.is_null(spm["nomor_sp2d"]))
    assert pending.num_rows > 0 and pending["waktu_sp2d"].null_count == pending.num_rows
    latest = pc.max(pending["waktu_unggah"]).as_py().date()
    assert as_of - dt.timedelta(days=7) <= latest <= as_of


def test_nothing_after_the_as_of_date(extract: Extract, as_of: dt.date) -> None:
    checks = {
        "span_sp2d": ["tanggal_sp2d", "tanggal_spm"],
        "sakti_spm": ["waktu_unggah", "waktu_sp2d"],
        "mpn_penerimaan": ["waktu_bayar", "tanggal_buku"],
        "span_pembiayaan": ["tanggal"],
        "tkd_penyaluran": ["tanggal_salur"],
        "tkd_dana_desa": ["tanggal_salur"],
        "bps_makro": ["periode"],
    }
    for dataset, columns in checks.items():
        table = extract(dataset)
        for column in columns:
            latest = pc.max(table[column]).as_py()
            latest = latest.date() if isinstance(latest, dt.datetime) else latest
            assert latest <= as_of, (dataset, column)
    sp2d = extract("span_sp2d")
    assert pc.max(sp2d["tanggal_sp2d"]).as_py() >= as_of - dt.timedelta(days=5)
    assert pc.max(extract("tkd_penyaluran")["tahun"]).as_py() == as_of.year


def test_subsidies_equal_sp2d_subsidy_payments(extract: Extract) -> None:
    sp2d = extract("span_sp2d")
    program_of = {
        "551111": "bbm", "551112": "lpg_3kg", "551211": "listrik", "552111": "pupuk",
        "552113": "pupuk", "552211": "pso", "552212": "pso", "552219": "pso",
        "552311": "bunga_kur", "552312": "bunga_kur", "552112": "bunga_kur",
        "552411": "bunga_kur",
    }  # fmt: skip
    subsidy = sp2d.filter(pc.starts_with(sp2d["kode_akun"], "55"))
    paid = (
        pa.table(
            {
                "tahun": pc.cast(pc.year(subsidy["tanggal_sp2d"]), pa.int16()),
                "bulan": pc.cast(pc.month(subsidy["tanggal_sp2d"]), pa.int8()),
                "program": pa.array([program_of[a] for a in subsidy["kode_akun"].to_pylist()]),
                "nilai": subsidy["nilai"],
            }
        )
        .group_by(["tahun", "bulan", "program"])
        .aggregate([("nilai", "sum")])
    )
    realisasi = extract("subsidi_realisasi")
    assert set(realisasi["program"].unique().to_pylist()) == set(PROGRAMS)
    assert len(realisasi["kode_provinsi"].unique()) == 38
    by_program = realisasi.group_by(["tahun", "bulan", "program"]).aggregate([("nilai", "sum")])
    joined = by_program.join(
        paid, ["tahun", "bulan", "program"], join_type="full outer", right_suffix="_sp2d"
    )
    left = pc.fill_null(joined["nilai_sum"], 0)
    right = pc.fill_null(joined["nilai_sum_sp2d"], 0)
    assert pc.all(pc.equal(left, right)).as_py()
    assert pc.all(pc.greater(realisasi["volume"], 0)).as_py()


def test_dana_desa_villages_sum_to_transfers(extract: Extract) -> None:
    villages = extract("tkd_dana_desa")
    keys = ["tahun", "bulan", "kode_pemda"]
    per_pemda = (
        pa.table(
            {
                "tahun": villages["tahun"],
                "bulan": pc.cast(pc.month(villages["tanggal_salur"]), pa.int8()),
                "kode_pemda": villages["kode_pemda"],
                "nilai": villages["nilai"],
            }
        )
        .group_by(keys)
        .aggregate([("nilai", "sum")])
    )
    tkd = extract("tkd_penyaluran")
    dd = tkd.filter(pc.equal(tkd["jenis_tkd"], "dana_desa")).select([*keys, "nilai"])
    joined = per_pemda.join(dd, keys, join_type="full outer")
    assert joined["nilai"].null_count == 0 and joined["nilai_sum"].null_count == 0
    assert pc.all(pc.equal(joined["nilai"], joined["nilai_sum"])).as_py()
    for year, total in ((2019, 70.0), (2023, 69.9), (2024, 70.9)):
        year_total = pc.sum(villages.filter(pc.field("tahun") == year)["nilai"]).as_py()
        assert year_total == round(total * 10**12)
    stages_2019 = villages.filter(pc.field("tahun") == 2019)["tahap"].unique().to_pylist()
    stages_2024 = villages.filter(pc.field("tahun") == 2024)["tahap"].unique().to_pylist()
    assert sorted(stages_2019) == [1, 2, 3] and sorted(stages_2024) == [1, 2]
    pemda = pc.utf8_slice_codeunits(villages["kode_desa"], 0, 4)
    assert pc.all(pc.equal(pemda, villages["kode_pemda"])).as_py()


def test_generation_is_deterministic(tmp_path: Path) -> None:
    as_of = dt.date(2019, 2, 28)
    first = generate(tmp_path / "a", "tiny", seed=3, as_of=as_of)
    second = generate(tmp_path / "b", "tiny", seed=3, as_of=as_of)
    other = generate(tmp_path / "c", "tiny", seed=4, as_of=as_of)
    assert first.keys() == second.keys()
    for dataset, paths in first.items():
        for a, b in zip(paths, second[dataset], strict=True):
            assert a.name == b.name and a.read_bytes() == b.read_bytes(), (dataset, a.name)
    assert first["span_sp2d"][0].read_bytes() != other["span_sp2d"][0].read_bytes()
    # Regenerating into the same place replaces batches and removes stale ones.
    generate(tmp_path / "a", "tiny", seed=3, as_of=dt.date(2019, 1, 31))
    assert not (tmp_path / "a" / "span_sp2d" / "2019-02.parquet").exists()
    assert not list((tmp_path / "a").rglob("*.tmp"))


def test_history_does_not_move_with_the_as_of_date() -> None:
    early = Run.create("tiny", seed=9, as_of=dt.date(2023, 6, 30))
    late = Run.create("tiny", seed=9, as_of=dt.date(2026, 11, 23))
    a, b = generate_month(early, 2021, 5), generate_month(late, 2021, 5)
    assert a.sp2d.equals(b.sp2d) and a.spm.equals(b.spm)
    assert mpn_penerimaan(early, 2022, 8).equals(mpn_penerimaan(late, 2022, 8))
