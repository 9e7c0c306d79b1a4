"""Lineage of a dataset: source extracts -> clean tables -> marts -> the catalog entry.

Mart dependencies come from the mart SQL files themselves (``warehouse/marts/*.sql``, read as
files and parsed with SQLGlot: the catalog does not import the warehouse); a definition's
``lineage:`` list is the fallback while a mart's SQL does not exist yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlglot
from sqlglot import exp

from treasury.catalog.dataset import Dataset

WAREHOUSE = Path(__file__).parents[1] / "warehouse"
MARTS = WAREHOUSE / "marts"
CONTRACTS = WAREHOUSE / "contracts"
EXTRACTS = frozenset(
    {
        "span_satker",
        "span_dipa",
        "span_sp2d",
        "sakti_spm",
        "mpn_penerimaan",
        "span_pembiayaan",
        "span_pagu_apbn",
        "tkd_penyaluran",
        "tkd_dana_desa",
        "subsidi_realisasi",
        "bps_makro",
        "bps_indikator_provinsi",
    }
)
"""The source extracts of ``docs/datasets.md`` (more are found as contract files)."""


@dataclass(frozen=True)
class Node:
    """A step in the flow: its name and layer (``extract``, ``clean``, ``mart``, ``reference``,
    ``dataset``)."""

    name: str
    layer: str


@dataclass(frozen=True)
class Lineage:
    """Where a dataset's rows come from.

    Attributes
    ----------
    dataset
        The dataset's slug.
    nodes
        Every table on the way, extracts first, the dataset last.
    edges
        (from, to) pairs of node names.
    declared
        True when some mart's inputs came from the definition's ``lineage:`` list because its
        SQL file was missing or unreadable.
    """

    dataset: str
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]
    declared: bool = False

    def extracts(self) -> list[str]:
        """The source extracts at the start of the flow."""
        return [n.name for n in self.nodes if n.layer == "extract"]

    def tables(self, layer: str) -> list[str]:
        """Names of the nodes in one layer."""
        return [n.name for n in self.nodes if n.layer == layer]


def _layer(name: str) -> str:
    for prefix, layer in (("mart_", "mart"), ("clean_", "clean"), ("ref_", "reference")):
        if name.startswith(prefix):
            return layer
    return "extract"


@cache
def _extracts(contracts: Path) -> frozenset[str]:
    found = {p.stem for p in contracts.glob("*.json")} if contracts.is_dir() else set()
    return EXTRACTS | found


def _normalise(name: str, contracts: Path) -> str:
    name = name.lower()
    if name in _extracts(contracts):
        return f"clean_{name}"  # marts read the clean layer
    return name


def mart_inputs(path: Path) -> frozenset[str] | None:
    """Tables a mart SQL file reads (CTE names excluded), or None if it cannot be parsed."""
    try:
        return _parse(path, path.stat().st_mtime_ns)
    except OSError:
        return None


@cache
def _parse(path: Path, mtime: int) -> frozenset[str] | None:
    try:
        trees = sqlglot.parse(path.read_text(encoding="utf-8"), read="duckdb")
    except (OSError, sqlglot.errors.SqlglotError):
        return None
    found: set[str] = set()
    for tree in trees:
        if tree is None:
            continue
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            name = table.name.lower()
            if not name or name in ctes:
                continue
            schema = table.db.lower()
            found.add(f"{schema}_{name}" if schema in ("clean", "mart", "ref") else name)
    return frozenset(found)


def _mart_file(table: str, marts: Path) -> Path | None:
    for stem in (table, table.removeprefix("mart_")):
        path = marts / f"{stem}.sql"
        if path.is_file():
            return path
    return None


def lineage(dataset: Dataset, marts: Path = MARTS, contracts: Path = CONTRACTS) -> Lineage:
    """The lineage of one dataset.

    Parameters
    ----------
    dataset
        The catalog entry.
    marts, contracts
        Folders of the mart SQL files and of the extract contracts (the warehouse's).

    Returns
    -------
    Lineage
        Nodes from the extracts to the dataset, and the edges between them.

    Examples
    --------
    >>> from treasury.catalog import load_catalog
    >>> flow = lineage(load_catalog().get("sp2d-rincian"))
    >>> flow.extracts(), flow.tables("clean")
    (['span_sp2d'], ['clean_span_sp2d'])
    """
    nodes: dict[str, Node] = {}
    edges: list[tuple[str, str]] = []
    declared = False

    def visit(table: str, seen: frozenset[str]) -> None:
        nonlocal declared
        if table in nodes or table in seen:
            return
        layer = _layer(table)
        inputs: Iterable[str] = ()
        if layer == "clean":
            inputs = [table.removeprefix("clean_")]
        elif layer == "mart":
            path = _mart_file(table, marts)
            parsed = mart_inputs(path) if path else None
            if parsed is None:
                declared = declared or bool(dataset.lineage)
                inputs = [_normalise(n, contracts) for n in dataset.lineage]
            else:
                inputs = sorted(_normalise(n, contracts) for n in parsed)
        for source in inputs:
            visit(source, seen | {table})
            edges.append((source, table))
        nodes[table] = Node(table, layer)

    table, _ = dataset.sql_source()
    visit(table, frozenset())
    if _layer(table) in ("clean", "reference"):
        for extra in dataset.lineage:
            source = _normalise(extra, contracts)
            if source != table:
                visit(source, frozenset({table}))
                edges.append((source, table))
    edges.append((table, dataset.slug))
    ordered = sorted(nodes.values(), key=lambda n: _ORDER[n.layer])
    return Lineage(
        dataset.slug,
        (*ordered, Node(dataset.slug, "dataset")),
        tuple(dict.fromkeys(edges)),
        declared,
    )


_ORDER = {"extract": 0, "reference": 1, "clean": 2, "mart": 3}
