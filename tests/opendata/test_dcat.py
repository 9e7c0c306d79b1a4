"""DCAT-AP routes parsed by rdflib: datasets, distributions with download URLs, the data service."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF
from test_ckan import INTERNAL, PUBLIC, RESTRICTED, Served

from treasury.catalog import load_catalog

HYDRA_NEXT = URIRef("http://www.w3.org/ns/hydra/core#nextPage")


@pytest.fixture(scope="session")
def served(live_url: str, platform_home: Path, tokens: dict[str, str]) -> Served:
    """The real app over the shared open-data platform, and an analyst's token."""
    return Served(live_url, platform_home, tokens["analis.pusat"])


def _graph(response: httpx.Response, fmt: str) -> Graph:
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format=fmt)


def _public() -> list[str]:
    return sorted(d.slug for d in load_catalog() if d.classification == "public")


@pytest.mark.parametrize(
    ("suffix", "fmt", "media"),
    [("ttl", "turtle", "text/turtle"), ("jsonld", "json-ld", "application/ld+json")],
)
def test_catalog_lists_every_public_dataset(
    served: Served, suffix: str, fmt: str, media: str
) -> None:
    r = httpx.get(f"{served.url}/catalog.{suffix}")
    assert r.headers["content-type"].startswith(media)
    graph = _graph(r, fmt)
    datasets = sorted(str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, DCAT.Dataset))
    assert datasets == _public()
    distributions = set(graph.subjects(RDF.type, DCAT.Distribution))
    assert distributions
    for dist in distributions:
        downloads = list(graph.objects(dist, DCAT.downloadURL))
        assert downloads and all(str(u).startswith(served.url) for u in downloads)
    services = list(graph.subjects(RDF.type, DCAT.DataService))
    assert [str(s) for s in services] == [f"{served.url}/api/3/action"]
    assert set(graph.objects(services[0], DCAT.servesDataset)) == set(
        graph.subjects(RDF.type, DCAT.Dataset)
    )


def test_a_downloadurl_downloads(served: Served) -> None:
    graph = _graph(httpx.get(f"{served.url}/dataset/{PUBLIC}.ttl"), "turtle")
    urls = [str(u) for u in graph.objects(None, DCAT.downloadURL) if str(u).endswith(".csv")]
    assert urls
    r = httpx.get(urls[0])
    assert r.status_code == 200 and r.text.splitlines()[0].startswith("tahun")


def test_token_holders_see_internal_and_restricted_datasets(served: Served) -> None:
    headers = {"Authorization": f"Bearer {served.token}"}
    graph = _graph(httpx.get(f"{served.url}/catalog.ttl", headers=headers), "turtle")
    names = {str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, DCAT.Dataset)}
    assert {INTERNAL, RESTRICTED} <= names
    assert httpx.get(f"{served.url}/dataset/{RESTRICTED}.ttl").status_code == 401
    own = httpx.get(f"{served.url}/dataset/{RESTRICTED}.jsonld", headers=headers)
    assert own.headers["content-type"].startswith("application/ld+json")
    assert len(list(_graph(own, "json-ld").subjects(RDF.type, DCAT.Dataset))) == 1


def test_catalog_pages(served: Served) -> None:
    first = _graph(httpx.get(f"{served.url}/catalog.ttl", params={"page": 1}), "turtle")
    assert len(list(first.subjects(RDF.type, DCAT.Dataset))) == len(_public())
    assert not list(first.objects(None, HYDRA_NEXT))
    beyond = _graph(httpx.get(f"{served.url}/catalog.ttl", params={"page": 2}), "turtle")
    assert not list(beyond.subjects(RDF.type, DCAT.Dataset))
    assert list(beyond.subjects(RDF.type, DCAT.DataService))
    assert httpx.get(f"{served.url}/catalog.ttl", params={"page": 0}).status_code == 422


def test_unknown_dataset_and_format(served: Served) -> None:
    assert httpx.get(f"{served.url}/dataset/tidak-ada.ttl").status_code == 404
    assert httpx.get(f"{served.url}/catalog.rdf").status_code == 404
