"""The dashboards and analytics pages: board key -> page path, title and builder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from treasury.dashboards import apbn, cash, expenditure, investment, regions, subsidies
from treasury.dashboards.board import Board, Context


@dataclass(frozen=True)
class BoardInfo:
    """A board: its key (used in download/API URLs), its page path and its builder."""

    key: str
    path: str
    title_id: str
    title_en: str
    build: Callable[[Context], Board]


BOARDS: dict[str, BoardInfo] = {
    b.key: b
    for b in (
        BoardInfo("apbn", "/dashboards/apbn", "Realisasi APBN", "APBN realization", apbn.build),
        BoardInfo(
            "subsidies",
            "/dashboards/subsidies",
            "Subsidi Pemerintah",
            "Government subsidies",
            subsidies.build,
        ),
        BoardInfo(
            "expenditure",
            "/analytics/expenditure",
            "Analitik Belanja Pemerintah",
            "Government expenditure",
            expenditure.build,
        ),
        BoardInfo("cash", "/analytics/cash", "Manajemen Kas", "Cash management", cash.build),
        BoardInfo(
            "investment",
            "/analytics/investment",
            "Analitik Investasi Pemerintah",
            "Government investment",
            investment.build,
        ),
        BoardInfo("region", "/regions/{province}", "Wilayah", "Region", regions.build_province),
        BoardInfo(
            "kppn", "/regions/kppn/{kppn}", "Wilayah KPPN", "KPPN region", regions.build_kppn
        ),
    )
}
