"""Load and validate the dataset definitions; the :class:`Catalog` that answers about them."""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from treasury.catalog.dataset import Dataset, PolicyInfo
from treasury.catalog.models import (
    CATEGORIES,
    Column,
    ColumnOverride,
    DatasetSpec,
    Group,
    License,
    Organization,
    SchemaField,
)

DEFINITIONS = Path(__file__).parent / "definitions"
_SHARED_FILES = {"columns.yaml", "organizations.yaml", "groups.yaml", "licenses.yaml"}

M = TypeVar("M", bound=BaseModel)

__all__ = ["Catalog", "Dataset", "DefinitionError", "PolicyInfo", "SourceProblem", "load_catalog"]


class DefinitionError(ValueError):
    """A definition file is invalid; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class SourceProblem:
    """A dataset whose source table (or some of its columns) the snapshot lacks."""

    slug: str
    table: str
    missing_columns: tuple[str, ...] = ()
    declared_unavailable: bool = False

    @property
    def missing_table(self) -> bool:
        """True when the whole table is missing."""
        return not self.missing_columns


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(entry)"


def _errors(file: str, where: str, exc: ValidationError) -> DefinitionError:
    lines = [f"{file}: {where}: {_location(e['loc'])}: {e['msg']}" for e in exc.errors()]
    return DefinitionError("\n".join(lines))


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: not valid YAML: {exc}") from exc


def _parse(model: type[M], data: Any, file: str, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _errors(file, where, exc) from exc


def _read_list(folder: Path, name: str, model: type[M], key: str) -> list[M]:
    data = _read(folder / name) or {}
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise DefinitionError(f"{name}: expected a top-level '{key}:' list")
    return [_parse(model, item, name, f"{key}[{i}]") for i, item in enumerate(items)]


def _read_columns(folder: Path) -> dict[str, Column]:
    data = _read(folder / "columns.yaml") or {}
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise DefinitionError("columns.yaml: expected a top-level 'columns:' mapping")
    return {
        name: _parse(Column, {"name": name, **(props or {})}, "columns.yaml", f"columns.{name}")
        for name, props in data["columns"].items()
    }


_DEEP = {"source", "filter"}
"""Keys whose mappings ``extends`` and ``defaults`` merge; any other key is replaced whole."""


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if key in _DEEP and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _raw_entries(folder: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(file, where, raw dict) for every dataset entry, ``defaults`` and ``extends`` applied."""
    entries: list[tuple[str, str, dict[str, Any]]] = []
    by_slug: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in _SHARED_FILES:
            continue
        data = _read(path) or {}
        if not isinstance(data, dict) or not isinstance(data.get("datasets"), list):
            raise DefinitionError(f"{path.name}: expected a top-level 'datasets:' list")
        defaults = data.get("defaults") or {}
        for i, item in enumerate(data["datasets"]):
            where = f"datasets[{i}]"
            if not isinstance(item, dict):
                raise DefinitionError(f"{path.name}: {where}: expected a mapping")
            item = dict(item)
            parent = item.pop("extends", None)
            if parent is not None:
                if parent not in by_slug:
                    raise DefinitionError(
                        f"{path.name}: {where}.extends: unknown (or later) dataset {parent!r}"
                    )
                base = {k: v for k, v in by_slug[parent].items() if k != "slug"}
                item = _merge(base, item)
            else:
                item = _merge(defaults, item)
            if "slug" in item:
                where = f"{where} ({item['slug']})"
                by_slug[str(item["slug"])] = item
            entries.append((path.name, where, item))
    return entries


def resolve_fields(
    spec: DatasetSpec, dictionary: Mapping[str, Column], file: str, where: str
) -> tuple[SchemaField, ...]:
    """The dataset's data dictionary: each exposed column resolved against the dictionary."""
    scoped = set(spec.row_scope)
    fields = []
    for i, entry in enumerate(spec.source.columns):
        over = ColumnOverride(name=entry) if isinstance(entry, str) else entry
        base = dictionary.get(over.name)
        values: dict[str, Any] = base.model_dump() if base else {"name": over.name}
        values.update(over.model_dump(exclude_none=True))
        missing = [k for k in ("title", "title_en", "type") if k not in values]
        if missing:
            raise DefinitionError(
                f"{file}: {where}: source.columns[{i}]: column {over.name!r} is not in "
                f"columns.yaml and does not define {', '.join(missing)}"
            )
        values.setdefault("personal", False)
        values["row_scoped"] = over.name in scoped
        fields.append(_parse(SchemaField, _field_defaults(values), file, where))
    return tuple(fields)


def _field_defaults(values: dict[str, Any]) -> dict[str, Any]:
    defaults = {"description": "", "description_en": "", "unit": None, "format": None}
    return {**defaults, "codelist": None, "constraints": {}, **values}


def build_dataset(
    data: Mapping[str, Any],
    dictionary: Mapping[str, Column],
    file: str = "<entry>",
    where: str = "dataset",
) -> Dataset:
    """Validate one raw definition and resolve its data dictionary.

    Raises
    ------
    DefinitionError
        Naming ``file``, ``where`` and the failing field.
    """
    spec = _parse(DatasetSpec, dict(data), file, where)
    fields = resolve_fields(spec, dictionary, file, where)
    exposed = {f.name for f in fields}
    for column in spec.source.filter:
        if column not in exposed and column not in dictionary:
            raise DefinitionError(f"{file}: {where}: source.filter: unknown column {column!r}")
    if spec.classification != "restricted":
        personal = [f.name for f in fields if f.personal]
        if personal:
            raise DefinitionError(
                f"{file}: {where}: source.columns: personal columns {personal} may only be "
                "exposed by a restricted dataset"
            )
    return Dataset(**dict(spec), fields=fields, origin=file)


class Catalog:
    """The datasets users may see, with their organisations, groups, licences and tags.

    Examples
    --------
    >>> catalog = load_catalog()
    >>> catalog.get("apbn-belanja-2023").title
    'APBN BELANJA 2023'
    >>> catalog.get("bps-gini-rasio").category
    'BPS'
    """

    def __init__(
        self,
        datasets: Iterable[Dataset],
        organizations: Iterable[Organization],
        groups: Iterable[Group],
        licenses: Iterable[License],
        dictionary: Mapping[str, Column],
    ) -> None:
        self._datasets = {d.slug: d for d in sorted(datasets, key=lambda d: d.slug)}
        self._organizations = {o.code: o for o in organizations}
        self._groups = {g.name: g for g in groups}
        self._licenses = {lic.id: lic for lic in licenses}
        self.dictionary = dict(dictionary)
        self._check()

    def _check(self) -> None:
        for d in self._datasets.values():
            where = f"{d.origin}: {d.slug}"
            if d.organization not in self._organizations:
                raise DefinitionError(f"{where}: organization: unknown {d.organization!r}")
            if d.license not in self._licenses:
                raise DefinitionError(f"{where}: license: unknown {d.license!r}")
            unknown = [g for g in d.groups if g not in self._groups]
            if unknown:
                raise DefinitionError(f"{where}: groups: unknown {unknown}")

    def __len__(self) -> int:
        return len(self._datasets)

    def __iter__(self) -> Iterator[Dataset]:
        return iter(self._datasets.values())

    def __contains__(self, slug: object) -> bool:
        return slug in self._datasets

    def get(self, slug: str) -> Dataset:
        """The dataset called ``slug`` (KeyError when there is none)."""
        return self._datasets[slug]

    def list(
        self,
        category: str | None = None,
        classification: str | None = None,
        organization: str | None = None,
    ) -> builtins.list[Dataset]:
        """Datasets sorted by slug, optionally only one category, class or organisation."""
        return [
            d
            for d in self._datasets.values()
            if (category is None or d.category == category)
            and (classification is None or d.classification == classification)
            and (organization is None or d.organization == organization)
        ]

    def categories(self) -> dict[str, int]:
        """Category -> number of datasets, in the portal's menu order."""
        counts = Counter(d.category for d in self)
        return {c: counts[c] for c in CATEGORIES if counts[c]}

    def organizations(self) -> builtins.list[Organization]:
        """The organisations, in definition order."""
        return list(self._organizations.values())

    def organization(self, code: str) -> Organization:
        """An organisation by code (``DIT-PKN``) or slug (``dit-pkn``)."""
        return self._organizations[code.upper()]

    def groups(self) -> builtins.list[Group]:
        """The thematic groups, in definition order."""
        return list(self._groups.values())

    def group(self, name: str) -> Group:
        """A group by name."""
        return self._groups[name]

    def license(self, license_id: str) -> License:
        """A licence by id."""
        return self._licenses[license_id]

    def licenses(self) -> builtins.list[License]:
        """The licences datasets use."""
        return list(self._licenses.values())

    def tags(self) -> dict[str, int]:
        """Tag -> number of datasets, most used first (ties by name)."""
        counts = Counter(t for d in self for t in d.tags)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def with_datasets(self, datasets: Iterable[Dataset]) -> Catalog:
        """A catalog with more datasets (e.g. entries created by uploads) added."""
        extra = list(datasets)
        clash = [d.slug for d in extra if d.slug in self._datasets]
        if clash:
            raise DefinitionError(f"datasets already defined: {clash}")
        return Catalog(
            [*self, *extra],
            self._organizations.values(),
            self._groups.values(),
            self._licenses.values(),
            self.dictionary,
        )

    def check_sources(self, tables: Mapping[str, Iterable[str]]) -> builtins.list[SourceProblem]:
        """Datasets whose source table or columns are missing from a snapshot.

        Parameters
        ----------
        tables
            Table name -> its column names, as the serving snapshot has them.

        Returns
        -------
        list of SourceProblem
            One per dataset that cannot be served (a declared-unavailable dataset counts
            until its table appears), sorted by slug.
        """
        problems = []
        for d in self:
            table, filters = d.sql_source()
            if table not in tables:
                problems.append(SourceProblem(d.slug, table, (), not d.available))
                continue
            have = set(tables[table])
            needed = [*d.columns, *(c for c in filters if c not in d.columns)]
            missing = tuple(c for c in needed if c not in have)
            if missing:
                problems.append(SourceProblem(d.slug, table, missing, not d.available))
        return problems


def read_definitions(folder: Path = DEFINITIONS) -> Catalog:
    """Read and validate every definition file in ``folder``.

    Raises
    ------
    DefinitionError
        The first invalid file, entry and field.
    """
    dictionary = _read_columns(folder)
    organizations = _read_list(folder, "organizations.yaml", Organization, "organizations")
    groups = _read_list(folder, "groups.yaml", Group, "groups")
    licenses = _read_list(folder, "licenses.yaml", License, "licenses")
    datasets: list[Dataset] = []
    seen: dict[str, str] = {}
    for file, where, raw in _raw_entries(folder):
        dataset = build_dataset(raw, dictionary, file, where)
        if dataset.slug in seen:
            raise DefinitionError(
                f"{file}: {where}: slug {dataset.slug!r} already defined in {seen[dataset.slug]}"
            )
        seen[dataset.slug] = file
        datasets.append(dataset)
    return Catalog(datasets, organizations, groups, licenses, dictionary)


@cache
def load_catalog() -> Catalog:
    """The shipped catalog (read once per process).

    Examples
    --------
    >>> len(load_catalog()) >= 44
    True
    """
    return read_definitions(DEFINITIONS)
