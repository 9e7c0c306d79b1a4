"""The real ``ckanapi`` client (library and CLI) against the served app, and ``frictionless``
validating the data packages ``ckanapi dump`` writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import ckanapi
import pytest
from frictionless import validate
from test_ckan import INTERNAL, PUBLIC, Served, rid

from treasury.catalog import load_catalog

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def served(live_url: str, platform_home: Path, tokens: dict[str, str]) -> Served:
    """The real app over the shared open-data platform, and an analyst's token."""
    return Served(live_url, platform_home, tokens["analis.pusat"])


@pytest.fixture
def ckan(served: Served) -> ckanapi.RemoteCKAN:
    """An anonymous ``RemoteCKAN``."""
    with ckanapi.RemoteCKAN(served.url) as remote:
        yield remote


def _public() -> list[str]:
    return sorted(d.slug for d in load_catalog() if d.classification == "public")


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        [str(BIN / "ckanapi"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def test_library_search_show_and_errors(ckan: ckanapi.RemoteCKAN) -> None:
    found = ckan.action.package_search(q="gini", rows=5, facet_field=None)
    assert found["count"] >= 1 and found["results"][0]["name"] == "bps-gini-rasio"
    assert ckan.action.package_show(id=PUBLIC)["name"] == PUBLIC
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="dataset-yang-tidak-ada")
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_show(id=INTERNAL)
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=rid(PUBLIC), filters={"tidak_ada": 1})
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(sort="tidak_ada desc")
    with pytest.raises(ckanapi.CKANAPIError):
        ckan.call_action("aksi_yang_tidak_ada")
    assert sorted(ckan.action.package_list()) == _public()


def test_library_with_a_token_and_get_only(served: Served) -> None:
    with ckanapi.RemoteCKAN(served.url, apikey=served.token) as remote:
        assert remote.action.package_show(id=INTERNAL)["name"] == INTERNAL
        rows = remote.action.datastore_search_sql(sql="SELECT 1 AS satu")["records"]
        assert rows == [{"satu": 1}]
    with ckanapi.RemoteCKAN(served.url, get_only=True) as remote:
        assert remote.action.package_show(id=PUBLIC)["name"] == PUBLIC


def test_library_datastore_paging(ckan: ckanapi.RemoteCKAN) -> None:
    resource = ckan.action.package_show(id=PUBLIC)["resources"][0]
    assert resource["datastore_active"] is True
    whole = ckan.action.datastore_search(resource_id=resource["id"], limit=1000, sort="kode_satker")
    records, offset = [], 0
    while True:
        page = ckan.action.datastore_search(
            resource_id=resource["id"], limit=9, offset=offset, sort="kode_satker"
        )
        if not page["records"]:
            break
        records += page["records"]
        offset += len(page["records"])
    assert len(records) == whole["total"]
    assert records == whole["records"]


def test_cli_search_pages_to_the_end_and_stops(served: Served) -> None:
    done = _cli("search", "datasets", "-r", served.url, timeout=120)
    assert done.returncode == 0, done.stderr
    names = [json.loads(line)["name"] for line in done.stdout.splitlines()]
    assert sorted(names) == _public()
    small = _cli("search", "datasets", "q=bansos", "rows:2", "-r", served.url, timeout=60)
    assert len(small.stdout.splitlines()) == 2


def test_cli_action(served: Served) -> None:
    done = _cli("action", "package_show", f"id={PUBLIC}", "-r", served.url, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == PUBLIC


def test_cli_dump_writes_valid_data_packages(served: Served, tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    done = _cli("dump", "datasets", "--all", "-D", str(folder), "-r", served.url, timeout=600)
    assert done.returncode == 0, done.stderr
    packages = sorted(folder.glob("*/datapackage.json"))
    assert sorted(p.parent.name for p in packages) == _public()
    for path in packages:
        descriptor = json.loads(path.read_text())
        assert [r["format"] for r in descriptor["resources"]] == ["CSV"]
        assert (path.parent / descriptor["resources"][0]["path"]).stat().st_size > 0
        report = validate(str(path))
        assert report.valid, (path.parent.name, report.flatten(["type", "note"])[:5])
