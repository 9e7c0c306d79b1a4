"""The dashboards' data source: batching, the per-viewer cache, row policies."""

from __future__ import annotations

from treasury.dashboards.source import Source, clear_cache

SQL = "select kode_kppn, count(*)::BIGINT as n from sla_sp2d group by 1 order by n desc, kode_kppn"


def test_cache_is_per_viewer_and_batches_keep_order(principals, od_settings, snapshot) -> None:
    clear_cache()
    national = Source.for_principal(principals["analis.pusat"], od_settings)
    first = national.rows(SQL)
    assert national.reads == 1
    again = Source.for_principal(principals["analis.pusat"], od_settings)
    assert again.rows(SQL) == first and again.reads == 0 and len(again.cached) == 1
    first[0]["n"] = -1  # callers may change rows: the cache keeps its own copy
    assert again.rows(SQL)[0]["n"] != -1
    local = Source.for_principal(principals["analis.surabaya"], od_settings)
    scoped = local.rows(SQL)
    assert local.reads == 1 and {r["kode_kppn"] for r in scoped} == {
        principals["analis.surabaya"].org_code
    }
    expected = snapshot.execute(
        "select kode_kppn, count(*) from mart_sla_sp2d group by 1 order by 2 desc, 1"
    ).fetchall()
    batch = Source.for_principal(principals["analis.pusat"], od_settings)
    got = batch.many({"a": SQL, "b": "select 1 as x where false"})
    assert [(r["kode_kppn"], r["n"]) for r in got["a"]] == [tuple(e) for e in expected]
    assert got["b"] == [] and batch.reads == 1


def test_build_reads_a_page_in_two_calls_and_the_optional_forecast(principals, od_settings) -> None:
    from treasury.dashboards import apbn
    from treasury.dashboards.board import Context
    from treasury.dashboards.filters import Filters

    clear_cache()
    source = Source.for_principal(principals["analis.pusat"], od_settings)
    board = source.build(lambda: apbn.build(Context(source, Filters(year=2023), "id")))
    # two batched waves, and the published ML forecast read on its own (optional data)
    assert source.reads == 3
    assert len(board.figures) == 8 and all(f.rows for f in board.figures)
