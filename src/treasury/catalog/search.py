"""Full-text search over the catalog (BM25, Indonesian stemming, typo tolerance) with facets."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from treasury.catalog.dataset import Dataset
from treasury.catalog.registry import Catalog
from treasury.catalog.text import analyze, stem, words

FACETS = (
    "category",
    "classification",
    "organization",
    "groups",
    "tags",
    "frequency",
    "spatial",
    "format",
    "license",
)
"""Fields one can filter and facet on; CKAN's names are accepted as aliases (``ALIASES``)."""

ALIASES = {"res_format": "format", "license_id": "license", "group": "groups", "tag": "tags"}

# How often each part of a dataset counts in its document (a field boost).
_WEIGHTS = (("title", 4), ("title_en", 2), ("tags", 3), ("category", 2), ("slug", 1))


@dataclass(frozen=True)
class Clause:
    """One filter: the dataset's ``field`` has any of ``values`` (none of them if ``negate``)."""

    field: str
    values: tuple[str, ...]
    negate: bool = False


@dataclass(frozen=True)
class Hit:
    """A matching dataset and its relevance score (0 when there was no query)."""

    dataset: Dataset
    score: float


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, the total count, and facet counts over all matches."""

    count: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    terms: tuple[str, ...] = ()
    sort: str = ""


def facet_values(dataset: Dataset, name: str) -> tuple[str, ...]:
    """The values a dataset has for a facet (organisations by their lower-case slug)."""
    name = ALIASES.get(name, name)
    if name == "organization":
        return (dataset.organization.lower(),)
    if name == "format":
        return tuple(f.upper() for f in dataset.formats)
    if name in ("tags", "groups"):
        return tuple(getattr(dataset, name))
    if name in ("category", "classification", "frequency", "spatial", "license"):
        return (str(getattr(dataset, name)),)
    raise ValueError(f"unknown facet {name!r}; known: {', '.join(FACETS)}")


_FQ = re.compile(r'([+-]?)([A-Za-z_]+):(?:"([^"]*)"|\(([^)]*)\)|(\S+))')


def parse_fq(fq: str) -> list[Clause]:
    """Clauses of a CKAN/Solr-style filter query (all must hold).

    Examples
    --------
    >>> parse_fq('organization:dit-pa tags:"bantuan sosial" -res_format:XLSX')
    ... # doctest: +NORMALIZE_WHITESPACE
    [Clause(field='organization', values=('dit-pa',), negate=False),
     Clause(field='tags', values=('bantuan sosial',), negate=False),
     Clause(field='format', values=('XLSX',), negate=True)]
    >>> parse_fq("category:(BPS OR MAKRO)")
    [Clause(field='category', values=('BPS', 'MAKRO'), negate=False)]
    """
    clauses = []
    for sign, name, quoted, group, bare in _FQ.findall(fq):
        if group:
            values = tuple(v.strip().strip('"') for v in re.split(r"\s+OR\s+", group.strip()))
        else:
            values = (quoted or bare,)
        clauses.append(Clause(ALIASES.get(name, name), values, sign == "-"))
    return clauses


def _clauses(filters: Mapping[str, str | Collection[str]] | Iterable[Clause]) -> list[Clause]:
    if isinstance(filters, Mapping):
        out = []
        for name, value in filters.items():
            values = (value,) if isinstance(value, str) else tuple(value)
            out.append(Clause(ALIASES.get(name, name), values))
        return out
    return list(filters)


def _matches(dataset: Dataset, clause: Clause) -> bool:
    have = {v.lower() for v in facet_values(dataset, clause.field)}
    hit = any(v.lower() in have for v in clause.values)
    return hit != clause.negate


def _document(dataset: Dataset, organization_name: str) -> str:
    parts = []
    for name, weight in _WEIGHTS:
        value = getattr(dataset, name)
        text = " ".join(value) if isinstance(value, list) else str(value).replace("-", " ")
        parts.extend([text] * weight)
    parts += [dataset.description.id, dataset.description.en, organization_name]
    parts += [f"{f.title} {f.title_en}" for f in dataset.fields]
    return " ".join(parts)


class SearchIndex:
    """A BM25 index over a catalog's datasets.

    Examples
    --------
    >>> from treasury.catalog import load_catalog
    >>> index = SearchIndex(load_catalog())
    >>> [h.dataset.title for h in index.search("gini").hits][:1]
    ['BPS GINI RASIO']
    """

    def __init__(self, catalog: Catalog) -> None:
        self.datasets = list(catalog)
        names = {o.code: f"{o.code} {o.name} {o.name_en}" for o in catalog.organizations()}
        texts = [_document(d, names.get(d.organization, "")) for d in self.datasets]
        corpus = [analyze(t) for t in texts]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self.vocabulary = frozenset(t for doc in corpus for t in doc)
        surface = {w for t in texts for w in words(t)}
        self._surface = sorted(w for w in surface if len(w) >= 4 and not w.isdigit())

    def terms(self, query: str) -> list[str]:
        """The query's stemmed terms, each unknown word replaced by its nearest known word."""
        out = []
        for word in words(query):
            term = stem(word)
            if term not in self.vocabulary and len(word) >= 4 and not word.isdigit():
                best = process.extractOne(word, self._surface, scorer=fuzz.ratio, score_cutoff=80)
                if best is not None:
                    term = stem(best[0])
            if term in self.vocabulary and term not in out:
                out.append(term)
        return out

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every dataset, scaled by the share of query terms it contains."""
        if not terms:
            return np.zeros(len(self.datasets))
        total = np.zeros(len(self.datasets))
        matched = np.zeros(len(self.datasets))
        for term in terms:
            score = np.asarray(self._bm25.get_scores([term]), dtype=float)
            total += score
            matched += score > 0
        return total * (0.5 + 0.5 * matched / len(terms))

    def search(
        self,
        q: str = "",
        filters: Mapping[str, str | Collection[str]] | Iterable[Clause] = (),
        sort: str | None = None,
        start: int = 0,
        rows: int = 20,
        facet_fields: Sequence[str] = FACETS,
        facet_limit: int = 50,
        only: Collection[str] | None = None,
        modified: Mapping[str, dt.datetime] | None = None,
    ) -> SearchResult:
        """Datasets matching a query and filters, one page, with facet counts.

        Parameters
        ----------
        q
            Free text (Indonesian or English); empty matches every dataset.
        filters
            Field -> value(s) (any value matches), or :class:`Clause` objects (all must
            hold), e.g. from :func:`parse_fq`. Fields: :data:`FACETS` or CKAN aliases.
        sort
            ``"score desc"`` (default with a query), ``"title asc"``, ``"name asc"``,
            ``"metadata_modified desc"`` (default without a query), comma-separated for ties.
        start, rows
            Paging: skip ``start`` hits, return at most ``rows``.
        facet_fields, facet_limit
            Facets to count over all matches, and the most values per facet.
        only
            Slugs the caller may see (after access and status checks); None means all.
        modified
            Slug -> last modification time, for sorting; defaults to each dataset's issue date.

        Returns
        -------
        SearchResult
            ``count`` of all matches, ``hits`` of the page, ``facets`` (value -> count, most
            frequent first), the query ``terms`` and the ``sort`` used.
        """
        clauses = _clauses(filters)
        terms = self.terms(q) if q.strip() else []
        scores = self.scores(terms)
        allowed = None if only is None else set(only)
        matches = [
            Hit(d, float(s))
            for d, s in zip(self.datasets, scores, strict=True)
            if (allowed is None or d.slug in allowed)
            and (not q.strip() or s > 0)
            and all(_matches(d, c) for c in clauses)
        ]
        when = modified or {}

        def modified_at(d: Dataset) -> float:
            moment = when.get(d.slug)
            if moment is None:
                return dt.datetime.combine(d.issued, dt.time()).timestamp()
            return moment.timestamp()

        sort = sort or ("score desc, metadata_modified desc" if terms else "metadata_modified desc")
        _sort(matches, sort, modified_at)
        facets = {
            name: _count(matches, name, facet_limit)
            for name in (ALIASES.get(f, f) for f in facet_fields)
        }
        page = matches[max(start, 0) : max(start, 0) + max(rows, 0)]
        return SearchResult(len(matches), page, facets, tuple(terms), sort)


def _count(hits: Sequence[Hit], name: str, limit: int) -> dict[str, int]:
    counts = Counter(v for h in hits for v in facet_values(h.dataset, name))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


def _sort(hits: list[Hit], sort: str, modified_at: Callable[[Dataset], float]) -> None:
    # Stable sorts applied from the last key to the first; newer coverage breaks ties.
    hits.sort(key=lambda h: h.dataset.slug)
    hits.sort(key=lambda h: h.dataset.temporal.start or dt.date.min, reverse=True)
    keys: dict[str, Callable[[Hit], object]] = {
        "score": lambda h: h.score,
        "relevance": lambda h: h.score,
        "title": lambda h: h.dataset.title.lower(),
        "title_string": lambda h: h.dataset.title.lower(),
        "name": lambda h: h.dataset.slug,
        "metadata_modified": lambda h: modified_at(h.dataset),
        "modified": lambda h: modified_at(h.dataset),
        "metadata_created": lambda h: h.dataset.issued,
    }
    for part in reversed([p.split() for p in sort.split(",") if p.strip()]):
        name = part[0]
        if name not in keys:
            raise ValueError(f"cannot sort by {name!r}; use one of {', '.join(keys)}")
        descending = part[1].lower() == "desc" if len(part) > 1 else name in ("score", "relevance")
        hits.sort(key=keys[name], reverse=descending)  # type: ignore[arg-type]


_INDEXES: WeakKeyDictionary[Catalog, SearchIndex] = WeakKeyDictionary()


def index_for(catalog: Catalog) -> SearchIndex:
    """The search index of a catalog, built once per catalog object."""
    index = _INDEXES.get(catalog)
    if index is None:
        index = _INDEXES[catalog] = SearchIndex(catalog)
    return index


def search(catalog: Catalog, q: str = "", **options: object) -> SearchResult:
    """Search a catalog; ``options`` as in :meth:`SearchIndex.search`.

    Examples
    --------
    >>> from treasury.catalog import load_catalog
    >>> result = search(load_catalog(), "belanja bansos", rows=2)
    >>> [h.dataset.slug for h in result.hits]
    ['bansos-2023', 'bansos-2022']
    """
    return index_for(catalog).search(q, **options)  # type: ignore[arg-type]
