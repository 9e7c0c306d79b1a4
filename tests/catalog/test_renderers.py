from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from frictionless import Package, Schema, validate
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

from treasury.catalog import Catalog, load_catalog
from treasury.catalog.ckan import (
    find_package,
    find_resource,
    to_ckan_group,
    to_ckan_license,
    to_ckan_organization,
    to_ckan_package,
)
from treasury.catalog.datapackage import to_datapackage
from treasury.catalog.dcat import HYDRA, dataset_graph, page_slice, serialize, to_dcat_graph
from treasury.catalog.formats import EXPORT_FORMATS, package_id
from treasury.catalog.models import FORMATS
from treasury.catalog.state import DatasetState

BASE = "https://data.example.go.id/"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_formats_cover_every_key() -> None:
    assert tuple(EXPORT_FORMATS) == FORMATS


def test_ckan_package_has_the_keys_ckan_clients_use(catalog: Catalog) -> None:
    package = to_ckan_package(catalog.get("apbn-belanja-2023"), BASE, catalog)
    for key in (
        "id",
        "name",
        "title",
        "notes",
        "license_id",
        "license_title",
        "organization",
        "owner_org",
        "groups",
        "tags",
        "extras",
        "metadata_created",
        "metadata_modified",
        "state",
        "private",
        "num_resources",
        "num_tags",
        "resources",
        "type",
    ):
        assert key in package, key
    assert package["name"] == "apbn-belanja-2023"
    assert package["title"] == "APBN BELANJA 2023"
    assert package["id"] == package_id("apbn-belanja-2023")
    assert package["state"] == "active" and package["private"] is False
    assert package["license_id"] == "CC-BY-4.0" and package["isopen"] is True
    assert set(package["organization"]) >= {"id", "name", "title"}
    assert package["owner_org"] == package["organization"]["id"]
    assert package["organization"]["name"] == "dit-pa"
    assert {"name": "belanja"}.items() <= package["tags"][0].items()
    assert [g["name"] for g in package["groups"]] == ["apbn"]
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["category"] == "PENGELUARAN" and extras["classification"] == "public"
    assert extras["temporal_start"] == "2023-01-01" and extras["temporal_end"] == "2023-12-31"
    dt.datetime.fromisoformat(package["metadata_modified"])
    json.dumps(package)


def test_ckan_resources(catalog: Catalog) -> None:
    package = to_ckan_package(catalog.get("bansos-2023"), BASE, catalog)
    resources = package["resources"]
    assert package["num_resources"] == len(resources) == 1 + len(FORMATS)
    for resource in resources:
        assert {"id", "package_id", "name", "format", "url", "datastore_active", "mimetype"} <= set(
            resource
        )
        assert resource["package_id"] == package["id"]
        assert resource["datastore_active"] is True
    assert resources[0]["format"] == "API"
    assert "datastore_search?resource_id=" + resources[0]["id"] in resources[0]["url"]
    csv_resource = next(r for r in resources if r["format"] == "CSV")
    assert csv_resource["url"] == BASE + "api/v1/datasets/bansos-2023/export.csv"
    assert csv_resource["mimetype"] == "text/csv"
    assert len({r["id"] for r in resources}) == len(resources)
    assert find_resource(catalog, csv_resource["id"]) == (catalog.get("bansos-2023"), "csv")
    assert find_resource(catalog, resources[0]["id"])[1] == "datastore"  # type: ignore[index]
    assert find_resource(catalog, "nope") is None
    assert find_package(catalog, package["id"]) is catalog.get("bansos-2023")
    assert find_package(catalog, "bansos-2023") is catalog.get("bansos-2023")


def test_ckan_package_reflects_state_and_classification(catalog: Catalog) -> None:
    when = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    state = DatasetState("retired", when, when, version="7", rows=10)
    package = to_ckan_package(catalog.get("sp2d-rincian"), BASE, catalog, state)
    assert package["state"] == "deleted" and package["version"] == "7"
    assert package["private"] is True and package["license_id"] == "internal"
    assert package["metadata_modified"] == "2025-03-01T01:00:00.000000"
    offered = {"API", "CSV", "XLSX", "JSON", "NDJSON", "Parquet"}  # the detail in Excel too
    assert {r["format"] for r in package["resources"]} == offered
    draft = DatasetState("review", when, when)
    assert to_ckan_package(catalog.get("bansos-2023"), BASE, catalog, draft)["state"] == "draft"


def test_ckan_organization_group_and_license(catalog: Catalog) -> None:
    org = to_ckan_organization(catalog.organization("DIT-PKN"), BASE, package_count=3)
    assert org["name"] == "dit-pkn" and org["title"] == "Direktorat Pengelolaan Kas Negara"
    assert org["is_organization"] is True and org["package_count"] == 3
    group = to_ckan_group(catalog.group("apbn"))
    assert group["name"] == "apbn" and group["is_organization"] is False
    licence = to_ckan_license(catalog, "internal", BASE)
    assert licence["url"] == BASE + "lisensi/internal"


def _parse(text: str, fmt: str) -> Graph:
    return Graph().parse(data=text, format=fmt)


@pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")
@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_dcat_catalog_round_trips(catalog: Catalog, fmt: str) -> None:
    datasets = catalog.list(classification="public")
    graph = to_dcat_graph(datasets, BASE, catalog)
    parsed = _parse(serialize(graph, fmt), "turtle" if fmt == "ttl" else "json-ld")
    assert len(parsed) == len(graph)
    found = set(parsed.subjects(ns.RDF.type, ns.DCAT.Dataset))
    assert len(found) == len(datasets)
    catalog_node = next(parsed.subjects(ns.RDF.type, ns.DCAT.Catalog))
    assert len(set(parsed.objects(catalog_node, ns.DCAT.dataset))) == len(datasets)
    distributions = set(parsed.subjects(ns.RDF.type, ns.DCAT.Distribution))
    assert len(distributions) == sum(len(d.formats) for d in datasets)
    for dist in distributions:
        url = parsed.value(dist, ns.DCAT.downloadURL)
        assert url is not None and "/api/v1/datasets/" in str(url)
        assert parsed.value(dist, ns.DCAT.mediaType) is not None
    service = next(parsed.subjects(ns.RDF.type, ns.DCAT.DataService))
    assert parsed.value(service, ns.DCAT.endpointURL) == URIRef(BASE + "api/3/action")
    assert len(set(parsed.objects(service, ns.DCAT.servesDataset))) == len(datasets)


def test_dcat_dataset_terms(catalog: Catalog) -> None:
    graph = dataset_graph(catalog.get("bps-gini-rasio"), BASE, catalog)
    node = URIRef(BASE + "dataset/bps-gini-rasio")
    titles = set(graph.objects(node, ns.DCTERMS.title))
    assert Literal("BPS GINI RASIO", lang="id") in titles
    assert Literal("Gini ratio (BPS)", lang="en") in titles
    assert Literal("gini", lang="id") in set(graph.objects(node, ns.DCAT.keyword))
    publisher = graph.value(node, ns.DCTERMS.publisher)
    assert (publisher, ns.RDF.type, ns.FOAF.Organization) in graph
    assert graph.value(publisher, ns.DCTERMS.identifier) == Literal("BPS")
    assert str(graph.value(node, ns.DCTERMS.accrualPeriodicity)).endswith("/frequency/ANNUAL")
    assert str(graph.value(node, ns.DCTERMS.license) or "") == ""  # licence sits on distributions
    temporal = graph.value(node, ns.DCTERMS.temporal)
    assert graph.value(temporal, ns.DCAT.startDate) is not None
    assert URIRef("http://publications.europa.eu/resource/authority/country/IDN") in set(
        graph.objects(node, ns.DCTERMS.spatial)
    )
    assert len(set(graph.objects(node, ns.DCAT.theme))) >= 2
    dist = URIRef(BASE + "dataset/bps-gini-rasio/distribution/csv")
    assert graph.value(dist, ns.DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    json.loads(serialize(graph, "jsonld"))


def test_dcat_paging(catalog: Catalog) -> None:
    everything = list(catalog)
    page = page_slice(everything, 2, 25)
    graph = to_dcat_graph(page, BASE, catalog, page=2, page_size=25, total=len(everything))
    assert len(set(graph.subjects(ns.RDF.type, ns.DCAT.Dataset))) == len(page) == 25
    paged = next(graph.subjects(ns.RDF.type, HYDRA.PagedCollection))
    assert int(graph.value(paged, HYDRA.totalItems)) == len(everything)  # type: ignore[arg-type]
    assert str(graph.value(paged, HYDRA.nextPage)).endswith("catalog.ttl?page=3")
    assert str(graph.value(paged, HYDRA.previousPage)).endswith("catalog.ttl?page=1")
    last = -(-len(everything) // 25)
    assert str(graph.value(paged, HYDRA.lastPage)).endswith(f"page={last}")
    with pytest.raises(ValueError, match="unknown RDF format"):
        serialize(graph, "xml")


def test_datapackage_descriptor_is_valid_for_every_dataset(catalog: Catalog) -> None:
    for dataset in catalog:
        descriptor = to_datapackage(dataset, BASE, catalog)
        report = Package.validate_descriptor(descriptor)
        assert report.valid, (dataset.slug, report.flatten(["note"]))
        resource = descriptor["resources"][0]
        assert resource["path"] == f"{BASE}api/v1/datasets/{dataset.slug}/export.csv"


def test_datapackage_validates_matching_csv(catalog: Catalog, tmp_path: Path) -> None:
    dataset = catalog.get("bps-gini-rasio")
    descriptor = to_datapackage(dataset, BASE, catalog)
    rows = [
        {
            "tahun": 2023,
            "kode_provinsi": "35",
            "indikator": "gini",
            "nilai": 0.387,
            "satuan": "rasio",
        },
        {
            "tahun": 2023,
            "kode_provinsi": "11",
            "indikator": "gini",
            "nilai": 0.296,
            "satuan": "rasio",
        },
    ]
    with (tmp_path / "data.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(dataset.columns))
        writer.writeheader()
        writer.writerows(rows)
    descriptor["resources"][0]["path"] = "data.csv"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # A wrong value fails against the same schema: the schema is really applied.
    with (tmp_path / "data.csv").open("a") as f:
        f.write("2023,3X,gini,abc,rasio\n")
    report = validate(str(tmp_path / "datapackage.json"))
    assert not report.valid


def test_table_schema_from_datapackage_matches_dataset(catalog: Catalog) -> None:
    dataset = catalog.get("sp2d-rincian")
    descriptor = to_datapackage(dataset, BASE, catalog)
    schema = Schema.from_descriptor(descriptor["resources"][0]["schema"])
    assert schema.primary_key == ["nomor_sp2d", "baris"]
    assert descriptor["licenses"][0]["name"] == "internal"


def test_ckan_package_search_shape(catalog: Catalog) -> None:
    from treasury.catalog.ckan import to_ckan_search
    from treasury.catalog.search import search

    result = search(catalog, "bansos", filters={"res_format": "CSV"}, rows=1)
    out = to_ckan_search(result, BASE, catalog)
    assert out["count"] == result.count >= 2
    assert [p["name"] for p in out["results"]] == ["bansos-2023"]
    assert out["facets"]["res_format"]["CSV"] == result.count
    assert "license_id" in out["facets"] and "format" not in out["facets"]
    items = out["search_facets"]["tags"]["items"]
    assert {"name": "bansos", "display_name": "bansos", "count": 2} in items
    assert out["sort"].startswith("score desc")
    json.dumps(out)
