"""Analytics pages: expenditure, cash and investment numbers equal the marts; row scope holds."""

from __future__ import annotations

USER = "analis.pusat"


def test_absorption_by_ministry_equals_the_mart(get_as, snapshot) -> None:
    rows = get_as.figure(USER, "expenditure", "serapan_kl", "?year=2023&month_to=6")["rows"]
    assert rows
    for row in rows[:5]:
        pagu, real = snapshot.execute(
            """select sum(pagu)::BIGINT, (select coalesce(sum(realisasi), 0)::BIGINT from mart_belanja_satker_bulanan
                 where tahun = 2023 and bulan <= 6 and kode_ba = ?)
               from (select kode_satker, jenis_belanja, max(pagu) as pagu
                     from mart_belanja_satker_bulanan where tahun = 2023 and kode_ba = ? group by all)""",
            [row["kode"], row["kode"]],
        ).fetchone()
        assert (row["pagu"], row["realisasi"]) == (pagu, real)
        assert row["persen"] == round(100 * real / pagu, 2)
    assert [r["persen"] for r in rows] == sorted(r["persen"] for r in rows)


def test_sla_is_row_scoped_to_the_users_office(get_as, snapshot) -> None:
    national = get_as.figure(USER, "expenditure", "sla_kppn", "?year=2023&month_to=12")["rows"]
    local = get_as.figure("analis.surabaya", "expenditure", "sla_kppn", "?year=2023&month_to=12")[
        "rows"
    ]
    assert len(national) == 15
    assert {r["kode_kppn"] for r in local} == {"086"} or len(local) == 1
    code = local[0]["kode_kppn"]
    count, within = snapshot.execute(
        "select count(*), sum(case when dalam_sla then 1 else 0 end) from mart_sla_sp2d "
        "where year(waktu_sp2d) = 2023 and kode_kppn = ?",
        [code],
    ).fetchone()
    assert (local[0]["jumlah"], local[0]["dalam_sla"]) == (count, within)
    monthly = get_as.figure(USER, "expenditure", "sla_bulanan", "?year=2023&month_to=12")["rows"]
    total = snapshot.execute(
        "select count(*) from mart_sla_sp2d where year(waktu_sp2d) = 2023"
    ).fetchone()[0]
    assert sum(r["jumlah"] for r in monthly) == total


def test_payment_mix_and_year_end_rush(get_as, snapshot) -> None:
    mix = get_as.figure(USER, "expenditure", "jenis_pembayaran", "?year=2023&month_to=12")["rows"]
    expected = dict(
        snapshot.execute(
            "select jenis_pembayaran, sum(nilai_spm)::BIGINT from clean_sakti_spm "
            "where year(waktu_unggah) = 2023 group by 1"
        ).fetchall()
    )
    got: dict[str, int] = {}
    for r in mix:
        got[r["jenis_pembayaran"]] = got.get(r["jenis_pembayaran"], 0) + r["nilai"]
    assert got == expected
    rush = {
        r["tahun"]: r
        for r in get_as.figure(USER, "expenditure", "akhir_tahun", "?year=2023")["rows"]
    }
    dec, total = snapshot.execute(
        "select sum(realisasi) filter (where bulan = 12), sum(realisasi) "
        "from mart_belanja_satker_bulanan where tahun = 2023"
    ).fetchone()
    assert rush[2023]["persen_desember"] == round(100 * dec / total, 2)


def test_cash_figures_equal_mart_kas_harian(get_as, snapshot) -> None:
    flows = get_as.figure(USER, "cash", "arus_kas", "?year=2023&month_to=12")["rows"]
    inflow, outflow = snapshot.execute(
        "select sum(penerimaan)::BIGINT, sum(pengeluaran)::BIGINT from mart_kas_harian "
        "where year(tanggal) = 2023"
    ).fetchone()
    assert sum(r["penerimaan"] for r in flows) == inflow
    assert sum(r["pengeluaran"] for r in flows) == outflow
    position = get_as.figure(USER, "cash", "saldo_harian", "?year=2023&month_to=12")["rows"]
    last = snapshot.execute(
        "select tanggal, saldo from mart_kas_harian where year(tanggal) = 2023 "
        "order by tanggal desc limit 1"
    ).fetchone()
    mine = [r for r in position if r["tahun"] == 2023]
    assert (mine[-1]["tanggal"], mine[-1]["saldo"]) == (last[0].isoformat(), last[1])
    seasonal = {
        r["bulan"]: r["netto"] for r in get_as.figure(USER, "cash", "musiman", "?year=2023")["rows"]
    }
    mean = snapshot.execute(
        "select avg(penerimaan - pengeluaran) from mart_kas_harian where month(tanggal) = 3"
    ).fetchone()[0]
    assert seasonal[3] == round(mean)
    top = get_as.figure(USER, "cash", "pengeluaran_besar", "?year=2023&month_to=12")["rows"]
    biggest = snapshot.execute(
        "select max(pengeluaran) from mart_kas_harian where year(tanggal) = 2023"
    ).fetchone()[0]
    assert len(top) == 10 and max(r["pengeluaran"] for r in top) == biggest


def test_investment_equals_the_financing_data(get_as, snapshot) -> None:
    yearly = get_as.figure(USER, "investment", "investasi_tahunan", "?year=2023")["rows"]
    expected = snapshot.execute(
        "select sum(realisasi)::BIGINT from mart_apbn_bulanan "
        "where tahun = 2022 and kelompok = 'pembiayaan_investasi'"
    ).fetchone()[0]
    assert sum(r["realisasi"] for r in yearly if r["tahun"] == 2022) == expected
    lending = get_as.figure(USER, "investment", "penerusan_pinjaman", "?year=2023")["rows"]
    out, back = snapshot.execute(
        "select -sum(nilai) filter (where kode_akun = '725111'), "
        "sum(nilai) filter (where kode_akun = '715111') from clean_span_pembiayaan"
    ).fetchone()
    assert sum(r["penyaluran"] for r in lending) == out
    assert lending[-1]["saldo_akhir"] == out - back
    kpis = get_as.kpis(USER, "investment", "?year=2023")
    pmn = snapshot.execute(
        "select -sum(realisasi) from mart_apbn_bulanan where tahun = 2023 "
        "and subkelompok = 'investasi_bumn'"
    ).fetchone()[0]
    assert kpis["pmn_bumn"]["value"] == pmn


def test_a_cached_page_is_still_audited(get_as, od_settings) -> None:
    from sqlalchemy import text

    from treasury.db.session import session_scope

    def events() -> int:
        with session_scope(od_settings.app_database_url) as session:
            return session.execute(
                text(
                    "select count(*) from audit_log where action = 'sql' and CAST(filters AS TEXT) LIKE '%cached%'"
                )
            ).scalar_one()

    get_as(USER, "/api/v1/dashboards/cash?year=2022")
    before = events()
    assert get_as(USER, "/api/v1/dashboards/cash?year=2022").status_code == 200
    assert events() == before + 1


def test_synthetic_receivables_split_the_real_outstanding(get_as) -> None:
    lending = get_as.figure(USER, "investment", "penerusan_pinjaman", "?year=2023")["rows"]
    balance = next(r["saldo_akhir"] for r in lending if r["tahun"] == 2023)
    data = get_as.figure(USER, "investment", "piutang_debitur", "?year=2023")
    assert "SINTETIS" in data["title"] or "SYNTHETIC" in data["title"]
    assert sum(r["pokok"] for r in data["rows"]) == balance
    assert all(0 <= r["tunggakan"] <= r["pokok"] for r in data["rows"])
    assert {r["kolektibilitas"] for r in data["rows"]} <= {
        "lancar",
        "kurang_lancar",
        "diragukan",
        "macet",
    }
