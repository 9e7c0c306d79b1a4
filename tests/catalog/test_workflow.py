from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from treasury.catalog import Catalog, load_catalog
from treasury.catalog.entries import catalog_with_entries, create_entry, load_entries
from treasury.catalog.publication import dataset_states, visible_slugs
from treasury.catalog.registry import DefinitionError
from treasury.catalog.search import search
from treasury.catalog.versions import current_version, record_version, restore, versions
from treasury.catalog.workflow import (
    InvalidTransition,
    NotPermitted,
    history,
    status,
    statuses,
    transition,
)
from treasury.db.catalog import CatalogEntry, CatalogStatus, CatalogStatusEvent, CatalogVersion

T0 = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def upload(slug: str = "pagu-kppn-upload") -> dict[str, object]:
    return {
        "slug": slug,
        "title": "Pagu per KPPN (unggahan)",
        "title_en": "Ceilings by treasury office (upload)",
        "category": "PAGU",
        "description": {"id": "Data unggahan Kanwil.", "en": "Uploaded by a regional office."},
        "source": {
            "table": f"clean_upload_{slug.replace('-', '_')}",
            "columns": [
                "tahun",
                "kode_kppn",
                {"name": "catatan", "title": "Catatan", "title_en": "Note", "type": "string"},
                "pagu",
            ],
        },
        "classification": "internal",
        "license": "internal",
        "organization": "DIT-PA",
        "frequency": "tahunan",
        "temporal": {"year": 2024},
        "spatial": "kabupaten/kota",
        "tags": ["pagu", "kppn", "unggahan"],
        "row_scope": ["kode_kppn"],
    }


def test_migration_matches_the_models(session: Session) -> None:
    inspector = inspect(session.get_bind())
    for model in (CatalogStatus, CatalogStatusEvent, CatalogVersion, CatalogEntry):
        table = model.__table__
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name


def test_shipped_datasets_start_published(session: Session, catalog: Catalog) -> None:
    assert status(session, catalog, "bansos-2023") == "published"
    assert set(statuses(session, catalog).values()) == {"published"}
    with pytest.raises(KeyError):
        status(session, catalog, "tidak-ada")


def test_full_workflow_with_who_and_when(session: Session, catalog: Catalog) -> None:
    custom = catalog.with_datasets(
        [catalog.get("kas-harian").model_copy(update={"slug": "kas-draft", "status": "draft"})]
    )
    slug = "kas-draft"
    assert status(session, custom, slug) == "draft"
    transition(session, custom, slug, "review", "budi", "analyst", now=T0)
    back = transition(
        session,
        custom,
        slug,
        "draft",
        "sari",
        "steward",
        "judul kurang jelas",
        now=T0 + dt.timedelta(hours=1),
    )
    assert (back.from_status, back.to_status, back.comment) == (
        "review",
        "draft",
        "judul kurang jelas",
    )
    transition(session, custom, slug, "review", "budi", "analyst", now=T0 + dt.timedelta(hours=2))
    published = transition(
        session, custom, slug, "published", "sari", "steward", now=T0 + dt.timedelta(hours=3)
    )
    assert published.actor == "sari" and published.role == "steward"
    transition(
        session,
        custom,
        slug,
        "retired",
        "admin1",
        "admin",
        "diganti",
        now=T0 + dt.timedelta(days=1),
    )
    assert status(session, custom, slug) == "retired"
    steps = history(session, slug)
    assert [(s.from_status, s.to_status) for s in steps] == [
        ("draft", "review"),
        ("review", "draft"),
        ("draft", "review"),
        ("review", "published"),
        ("published", "retired"),
    ]
    assert [s.actor for s in steps] == ["budi", "sari", "budi", "sari", "admin1"]
    assert steps[0].at == T0 and steps[-1].at == T0 + dt.timedelta(days=1)


def test_refused_transitions(session: Session, catalog: Catalog) -> None:
    custom = catalog.with_datasets(
        [catalog.get("kas-harian").model_copy(update={"slug": "kas-draft", "status": "draft"})]
    )
    with pytest.raises(InvalidTransition, match="cannot go from draft to published"):
        transition(session, custom, "kas-draft", "published", "sari", "steward")
    transition(session, custom, "kas-draft", "review", "budi", "analyst")
    with pytest.raises(NotPermitted, match="steward"):
        transition(session, custom, "kas-draft", "published", "budi", "analyst")
    with pytest.raises(NotPermitted):
        transition(session, custom, "kas-draft", "draft", "tamu", "external", "tidak")
    with pytest.raises(InvalidTransition, match="needs a comment"):
        transition(session, custom, "kas-draft", "draft", "sari", "steward", "  ")
    with pytest.raises(InvalidTransition, match="unknown status"):
        transition(session, custom, "kas-draft", "archived", "sari", "admin")
    with pytest.raises(InvalidTransition, match="unknown dataset"):
        transition(session, custom, "tidak-ada", "review", "sari", "admin")
    with pytest.raises(InvalidTransition, match="cannot go from published to draft"):
        transition(session, custom, "bansos-2023", "draft", "sari", "admin", "x")
    assert [s.to_status for s in history(session, "kas-draft")] == ["review"]


def test_retire_a_shipped_dataset(session: Session, catalog: Catalog) -> None:
    change = transition(session, catalog, "apbn-belanja-2019", "retired", "sari", "steward", now=T0)
    assert change.from_status == "published"
    states = dataset_states(session, catalog)
    assert states["apbn-belanja-2019"].status == "retired"
    assert states["apbn-belanja-2019"].modified == T0
    assert "apbn-belanja-2019" not in visible_slugs(states)
    result = search(catalog, "belanja 2019", only=visible_slugs(states))
    assert "apbn-belanja-2019" not in [h.dataset.slug for h in result.hits]


def test_versions_and_restore(session: Session) -> None:
    assert (
        versions(session, "bansos-2023") == [] and current_version(session, "bansos-2023") is None
    )
    first = record_version(session, "bansos-2023", 12, 1500, "muat awal", "pipeline", now=T0)
    second = record_version(
        session, "bansos-2023", "13", 1520, "koreksi", "pipeline", now=T0 + dt.timedelta(days=1)
    )
    assert (first.number, first.version, first.rows) == (1, "12", 1500)
    assert (second.number, second.version) == (2, "13")
    restored = restore(session, "bansos-2023", 12, actor="sari", now=T0 + dt.timedelta(days=2))
    assert (restored.number, restored.version, restored.rows) == (3, "12", 1500)
    assert restored.restored_from == 1 and restored.created_by == "sari"
    assert "restore of version 1" in (restored.note or "")
    history_ = versions(session, "bansos-2023")
    assert [v.number for v in history_] == [3, 2, 1]
    assert history_[1] == second  # nothing overwritten
    assert current_version(session, "bansos-2023") == restored
    assert record_version(session, "bansos-2022", 5, None).number == 1
    with pytest.raises(KeyError):
        restore(session, "bansos-2023", 99)


def test_states_carry_versions(session: Session, catalog: Catalog) -> None:
    record_version(session, "bps-gini-rasio", 4, 38 * 5, now=T0)
    state = dataset_states(session, catalog)["bps-gini-rasio"]
    assert (state.version, state.rows, state.status) == ("4", 190, "published")
    assert state.modified == T0 and state.created < T0


def test_uploaded_entry_starts_as_draft(session: Session, catalog: Catalog) -> None:
    dataset = create_entry(session, upload(), "rina", "analyst", catalog=catalog, now=T0)
    assert dataset.status == "draft" and dataset.row_scoped_columns == ("kode_kppn",)
    assert dataset.field("catatan").title_en == "Note"
    session.commit()
    full = catalog_with_entries(session, catalog)
    assert "pagu-kppn-upload" in full and len(full) == len(catalog) + 1
    assert catalog_with_entries(session, catalog) is full  # cached while entries are unchanged
    assert status(session, full, "pagu-kppn-upload") == "draft"
    assert [s.to_status for s in history(session, "pagu-kppn-upload")] == ["draft"]
    [loaded] = load_entries(session, catalog)
    assert loaded.table_schema() == dataset.table_schema()
    states = dataset_states(session, full)
    assert states["pagu-kppn-upload"].created == T0
    assert "pagu-kppn-upload" not in visible_slugs(states)
    transition(session, full, "pagu-kppn-upload", "review", "rina", "analyst")
    transition(session, full, "pagu-kppn-upload", "published", "sari", "steward")
    assert "pagu-kppn-upload" in visible_slugs(dataset_states(session, full))


def test_bad_entries_are_refused(session: Session, catalog: Catalog) -> None:
    with pytest.raises(DefinitionError, match="already defined"):
        create_entry(session, upload("bansos-2023"), "rina", catalog=catalog)
    with pytest.raises(DefinitionError, match="starts as a draft"):
        create_entry(session, {**upload(), "status": "published"}, "rina", catalog=catalog)
    bad = upload()
    bad["source"] = {"table": "clean_x", "columns": ["tahun", "kode_kppn", "kolom_baru"]}
    with pytest.raises(DefinitionError, match="kolom_baru"):
        create_entry(session, bad, "rina", catalog=catalog)
    with pytest.raises(DefinitionError, match="organization"):
        create_entry(session, {**upload(), "organization": "NOPE"}, "rina", catalog=catalog)
