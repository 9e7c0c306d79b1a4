"""DCAT-AP 2 description of the catalog for harvesters, as an rdflib graph (JSON-LD, Turtle).

The catalog pages like CKAN's DCAT extension: ``/catalog.ttl?page=2`` carries a
``hydra:PagedCollection`` node with first, previous, next and last page links.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, XSD

from treasury.catalog.dataset import Dataset
from treasury.catalog.formats import (
    EXPORT_FORMATS,
    absolute,
    api_url,
    base,
    dataset_url,
    export_url,
)
from treasury.catalog.registry import Catalog, load_catalog
from treasury.catalog.state import DatasetState, initial_state, utc_naive

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"

FREQUENCY = {
    "harian": "DAILY",
    "mingguan": "WEEKLY",
    "bulanan": "MONTHLY",
    "triwulanan": "QUARTERLY",
    "tahunan": "ANNUAL",
    "tidak_tentu": "IRREG",
}
ACCESS_RIGHTS = {"public": "PUBLIC", "internal": "RESTRICTED", "restricted": "NON_PUBLIC"}
# EU data themes per category: ECON economy and finance, GOVE government and public sector,
# SOCI population and society, REGI regions and cities.
THEMES = {
    "BPS": ("SOCI", "ECON"),
    "MAKRO": ("ECON",),
    "REFERENSI": ("GOVE", "REGI"),
    "TRANSFER": ("ECON", "GOVE", "REGI"),
    "LAYANAN": ("GOVE",),
}
DEFAULT_THEMES = ("ECON", "GOVE")
SPATIAL_LABEL = {
    "nasional": ("Indonesia (nasional)", "Indonesia (national)"),
    "provinsi": ("Indonesia, per provinsi", "Indonesia, by province"),
    "kabupaten/kota": ("Indonesia, per kabupaten/kota", "Indonesia, by regency/city"),
    "kecamatan": ("Indonesia, per kecamatan", "Indonesia, by district"),
    "desa": ("Indonesia, per desa/kelurahan", "Indonesia, by village"),
}
CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "hydra": str(HYDRA),
    "adms": str(ADMS),
    "owl": str(OWL),
    "xsd": str(XSD),
}
CATALOG_TITLE = ("Katalog Data Treasury Big Data", "Treasury Big Data catalog")
PUBLISHER = ("DJPB", "Direktorat Jenderal Perbendaharaan", "Directorate General of Treasury")


def _bind(graph: Graph) -> Graph:
    for prefix, uri in CONTEXT.items():
        graph.bind(prefix, Namespace(uri))
    return graph


def _text(graph: Graph, node: URIRef | BNode, prop: URIRef, id_: str, en: str) -> None:
    graph.add((node, prop, Literal(id_, lang="id")))
    graph.add((node, prop, Literal(en, lang="en")))


def _date(value: dt.date | dt.datetime) -> Literal:
    if isinstance(value, dt.datetime):
        return Literal(utc_naive(value).isoformat(timespec="seconds"), datatype=XSD.dateTime)
    return Literal(value.isoformat(), datatype=XSD.date)


def _publisher(graph: Graph, base_url: str, code: str, name: str, name_en: str) -> URIRef:
    node = URIRef(f"{base(base_url)}/organization/{code.lower()}")
    graph.add((node, RDF.type, FOAF.Organization))
    _text(graph, node, FOAF.name, name, name_en)
    graph.add((node, DCTERMS.identifier, Literal(code)))
    return node


def service_uri(base_url: str) -> URIRef:
    """The URI of the Action API as a ``dcat:DataService``."""
    return URIRef(api_url(base_url))


def add_dataset(
    graph: Graph,
    dataset: Dataset,
    base_url: str,
    catalog: Catalog,
    state: DatasetState | None = None,
) -> URIRef:
    """Add one ``dcat:Dataset`` with its distributions to ``graph``; returns its URI."""
    state = state or initial_state(dataset)
    node = URIRef(dataset_url(base_url, dataset.slug))
    g = graph
    g.add((node, RDF.type, DCAT.Dataset))
    _text(g, node, DCTERMS.title, dataset.title, dataset.title_en)
    _text(g, node, DCTERMS.description, dataset.description.id, dataset.description.en)
    g.add((node, DCTERMS.identifier, Literal(dataset.slug)))
    g.add((node, DCAT.landingPage, node))
    for tag in dataset.tags:
        g.add((node, DCAT.keyword, Literal(tag, lang="id")))
    org = catalog.organization(dataset.organization)
    publisher = _publisher(g, base_url, org.code, org.name, org.name_en)
    g.add((node, DCTERMS.publisher, publisher))
    contact = BNode(f"contact-{dataset.slug}")
    g.add((node, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(org.name)))
    g.add((contact, VCARD.hasURL, URIRef(f"{base(base_url)}/organization/{org.slug}")))
    licence = URIRef(absolute(base_url, catalog.license(dataset.license).url))
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    g.add(
        (
            node,
            DCTERMS.accessRights,
            URIRef(EU + "access-right/" + ACCESS_RIGHTS[dataset.classification]),
        )
    )
    g.add(
        (node, DCTERMS.accrualPeriodicity, URIRef(EU + "frequency/" + FREQUENCY[dataset.frequency]))
    )
    period = BNode(f"temporal-{dataset.slug}")
    g.add((node, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    if dataset.temporal.start:
        g.add((period, DCAT.startDate, _date(dataset.temporal.start)))
    if dataset.temporal.end:
        g.add((period, DCAT.endDate, _date(dataset.temporal.end)))
    g.add((node, DCTERMS.spatial, URIRef(EU + "country/IDN")))
    place = BNode(f"spatial-{dataset.slug}")
    g.add((node, DCTERMS.spatial, place))
    g.add((place, RDF.type, DCTERMS.Location))
    _text(g, place, SKOS.prefLabel, *SPATIAL_LABEL[dataset.spatial])
    for theme in THEMES.get(dataset.category, DEFAULT_THEMES):
        g.add((node, DCAT.theme, URIRef(EU + "data-theme/" + theme)))
    category = URIRef(f"{base(base_url)}/kategori/{dataset.category.lower()}")
    g.add((node, DCAT.theme, category))
    g.add((category, RDF.type, SKOS.Concept))
    g.add((category, SKOS.prefLabel, Literal(dataset.category, lang="id")))
    g.add((category, SKOS.inScheme, URIRef(f"{base(base_url)}/kategori")))
    g.add((node, DCTERMS.language, URIRef(EU + "language/IND")))
    g.add((node, DCTERMS.issued, _date(state.created)))
    g.add((node, DCTERMS.modified, _date(state.modified)))
    if state.version is not None:
        g.add((node, OWL.versionInfo, Literal(state.version)))
    g.add((node, ADMS.status, Literal(state.status)))
    schema = URIRef(f"{dataset_url(base_url, dataset.slug)}/datapackage.json")
    g.add((node, DCTERMS.conformsTo, schema))
    service = service_uri(base_url)
    for key in dataset.formats:
        fmt = EXPORT_FORMATS[key]
        download = URIRef(export_url(base_url, dataset.slug, key))
        dist = URIRef(f"{dataset_url(base_url, dataset.slug)}/distribution/{key}")
        g.add((node, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        _text(
            g,
            dist,
            DCTERMS.title,
            f"{dataset.title} ({fmt.label})",
            f"{dataset.title_en} ({fmt.label})",
        )
        g.add((dist, DCAT.accessURL, download))
        g.add((dist, DCAT.downloadURL, download))
        g.add((dist, DCAT.mediaType, URIRef(fmt.media_type_uri)))
        if fmt.eu_file_type:
            g.add((dist, DCTERMS.format, URIRef(fmt.eu_file_type)))
        g.add((dist, DCTERMS.license, licence))
        g.add((dist, DCAT.accessService, service))
        g.add((dist, DCTERMS.conformsTo, schema))
    g.add((service, DCAT.servesDataset, node))
    return node


def _service(graph: Graph, base_url: str, publisher: URIRef) -> URIRef:
    node = service_uri(base_url)
    graph.add((node, RDF.type, DCAT.DataService))
    _text(graph, node, DCTERMS.title, "API Aksi kompatibel CKAN", "CKAN-compatible Action API")
    graph.add((node, DCAT.endpointURL, node))
    description = URIRef(f"{base(base_url)}/api/v1/openapi.json")
    graph.add((node, DCAT.endpointDescription, description))
    graph.add((node, DCTERMS.conformsTo, URIRef("https://docs.ckan.org/en/2.10/api/")))
    graph.add((node, DCTERMS.publisher, publisher))
    return node


def to_dcat_graph(
    datasets: Sequence[Dataset],
    base_url: str,
    catalog: Catalog | None = None,
    states: Mapping[str, DatasetState] | None = None,
    page: int | None = None,
    page_size: int = 100,
    total: int | None = None,
    page_url: str | None = None,
) -> Graph:
    """The ``dcat:Catalog`` of ``datasets`` (one page of them when ``page`` is given).

    Parameters
    ----------
    datasets
        The datasets to describe: all of them, or the page's slice.
    base_url
        The portal's public base URL.
    catalog
        Where organisations and licences are looked up (the shipped catalog if None).
    states
        Slug -> state from the app database (each definition's initial state if missing).
    page, page_size, total
        Page number (from 1), its size and the number of datasets over all pages; adds the
        ``hydra:PagedCollection`` node.
    page_url
        The paged document's URL without query (default ``{base_url}/catalog.ttl``).

    Returns
    -------
    rdflib.Graph
        A catalog with ``dcat:dataset`` links, each dataset's distributions (one per
        download format, with ``dcat:downloadURL`` and ``dcat:mediaType``), and the Action
        API as a ``dcat:DataService`` serving them.

    Examples
    --------
    >>> from treasury.catalog import load_catalog
    >>> catalog = load_catalog()
    >>> g = to_dcat_graph([catalog.get("bps-gini-rasio")], "https://x.id", catalog)
    >>> len(list(g.subjects(RDF.type, DCAT.Dataset)))
    1
    """
    catalog = load_catalog() if catalog is None else catalog
    graph = _bind(Graph())
    node = URIRef(f"{base(base_url)}/catalog")
    graph.add((node, RDF.type, DCAT.Catalog))
    _text(graph, node, DCTERMS.title, *CATALOG_TITLE)
    _text(
        graph,
        node,
        DCTERMS.description,
        "Data terbuka Direktorat Jenderal Perbendaharaan: APBN, kas negara, transfer ke daerah.",
        "Open data of the Directorate General of Treasury: state budget, cash, transfers.",
    )
    publisher = _publisher(graph, base_url, *PUBLISHER)
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((node, FOAF.homepage, URIRef(base(base_url) + "/")))
    graph.add((node, DCTERMS.language, URIRef(EU + "language/IND")))
    graph.add((node, DCAT.themeTaxonomy, URIRef(EU + "data-theme")))
    graph.add((node, DCAT.themeTaxonomy, URIRef(f"{base(base_url)}/kategori")))
    service = _service(graph, base_url, publisher)
    graph.add((node, DCAT.service, service))
    states = states or {}
    modified: list[dt.datetime] = []
    for dataset in datasets:
        state = states.get(dataset.slug) or initial_state(dataset)
        graph.add((node, DCAT.dataset, add_dataset(graph, dataset, base_url, catalog, state)))
        modified.append(state.modified)
    if modified:
        graph.add((node, DCTERMS.modified, _date(max(modified))))
    if page is not None:
        _paging(graph, page_url or f"{base(base_url)}/catalog.ttl", page, page_size, total)
    return graph


def _paging(graph: Graph, url: str, page: int, size: int, total: int | None) -> None:
    count = total if total is not None else size
    last = max(1, -(-count // max(size, 1)))
    node = URIRef(f"{url}?page={page}")
    graph.add((node, RDF.type, HYDRA.PagedCollection))
    graph.add((node, HYDRA.totalItems, Literal(count, datatype=XSD.integer)))
    graph.add((node, HYDRA.itemsPerPage, Literal(size, datatype=XSD.integer)))
    graph.add((node, HYDRA.firstPage, Literal(f"{url}?page=1")))
    graph.add((node, HYDRA.lastPage, Literal(f"{url}?page={last}")))
    if page > 1:
        graph.add((node, HYDRA.previousPage, Literal(f"{url}?page={page - 1}")))
    if page < last:
        graph.add((node, HYDRA.nextPage, Literal(f"{url}?page={page + 1}")))


def dataset_graph(
    dataset: Dataset,
    base_url: str,
    catalog: Catalog | None = None,
    state: DatasetState | None = None,
) -> Graph:
    """One dataset as DCAT (for ``/dataset/{slug}.jsonld`` and ``.ttl``), with the data service."""
    catalog = load_catalog() if catalog is None else catalog
    graph = _bind(Graph())
    _service(graph, base_url, _publisher(graph, base_url, *PUBLISHER))
    add_dataset(graph, dataset, base_url, catalog, state)
    return graph


def serialize(graph: Graph, fmt: str) -> str:
    """``graph`` as ``"jsonld"`` (compacted with the DCAT prefixes) or ``"ttl"`` (Turtle)."""
    if fmt in ("jsonld", "json-ld"):
        return graph.serialize(format="json-ld", context=dict(CONTEXT), indent=2)
    if fmt in ("ttl", "turtle"):
        return graph.serialize(format="turtle")
    raise ValueError(f"unknown RDF format {fmt!r}: use jsonld or ttl")


def media_type(fmt: str) -> str:
    """The HTTP media type of a serialisation."""
    return {"jsonld": "application/ld+json", "json-ld": "application/ld+json"}.get(
        fmt, "text/turtle"
    )


def page_slice(items: Sequence[Any], page: int, page_size: int) -> Sequence[Any]:
    """The items of one page (pages count from 1)."""
    start = (max(page, 1) - 1) * page_size
    return items[start : start + page_size]
