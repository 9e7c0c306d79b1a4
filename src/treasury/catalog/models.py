"""The catalog's vocabulary: datasets, their columns, sources, organisations and groups.

Definitions are YAML files in ``definitions/``; these pydantic models validate them. A
:class:`DatasetSpec` is what a file says; a :class:`Dataset` is the same entry with its data
dictionary resolved against the shared column dictionary (``columns.yaml``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Classification = Literal["public", "internal", "restricted"]
Status = Literal["draft", "review", "published", "retired"]
Frequency = Literal["harian", "mingguan", "bulanan", "triwulanan", "tahunan", "tidak_tentu"]
Spatial = Literal["nasional", "provinsi", "kabupaten/kota", "kecamatan", "desa"]
Format = Literal["csv", "xlsx", "json", "ndjson", "parquet"]
FieldType = Literal["string", "integer", "number", "boolean", "date", "datetime", "year"]

FORMATS: tuple[Format, ...] = ("csv", "xlsx", "json", "ndjson", "parquet")
CATEGORIES = (
    "PENGELUARAN",
    "PAGU",
    "APBN",
    "PENERIMAAN",
    "PEMBIAYAAN",
    "TRANSFER",
    "KAS",
    "SUBSIDI",
    "LAYANAN",
    "BPS",
    "MAKRO",
    "REFERENSI",
)
"""Known categories; the first ten users know from the current portal's menus."""

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")]
ColumnName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Scalar = str | bool | int | float | dt.date


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Indonesian (``id``) and English (``en``)."""

    id: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Range(_Strict):
    """An inclusive range filter; either bound may be left open."""

    min: Scalar | None = None
    max: Scalar | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min or max")
        return self


FilterValue = Scalar | list[Scalar] | Range


class Column(_Strict):
    """One entry of the shared data dictionary (``columns.yaml``)."""

    name: ColumnName
    title: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    type: FieldType
    description: str = ""
    description_en: str = ""
    unit: str | None = None
    format: str | None = None
    codelist: str | None = None
    personal: bool = False
    constraints: dict[str, object] = Field(default_factory=dict)


class ColumnOverride(_Strict):
    """A dataset's use of a column: a dictionary column with some properties overridden, or
    (for a column the dictionary lacks, as in uploaded datasets) a full definition."""

    name: ColumnName
    title: str | None = None
    title_en: str | None = None
    type: FieldType | None = None
    description: str | None = None
    description_en: str | None = None
    unit: str | None = None
    format: str | None = None
    codelist: str | None = None
    personal: bool | None = None
    constraints: dict[str, object] | None = None


class Source(_Strict):
    """Where a dataset's rows come from in the serving snapshot.

    ``table`` is a mart (``mart_*``), a clean extract (``clean_*``) or a reference table
    (``ref_*``); ``filter`` is fixed (column -> value, list of values, or range);
    ``available`` is false while the table is not built yet.
    """

    table: Annotated[str, StringConstraints(pattern=r"^(mart|clean|ref)_[a-z0-9_]+$")]
    filter: dict[ColumnName, FilterValue] = Field(default_factory=dict)
    columns: list[ColumnName | ColumnOverride] = Field(min_length=1)
    available: bool = True

    @model_validator(mode="after")
    def _no_empty_lists(self) -> Source:
        for column, value in self.filter.items():
            if isinstance(value, list) and not value:
                raise ValueError(f"filter on {column!r} lists no values")
        return self

    def column_names(self) -> list[str]:
        """The exposed column names, in order."""
        return [c if isinstance(c, str) else c.name for c in self.columns]


class Temporal(_Strict):
    """Temporal coverage: ``year`` or ``start``/``end`` (``end`` empty while ongoing)."""

    year: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _resolve(self) -> Temporal:
        if self.year is not None:
            first, last = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
            if (self.start or first, self.end or last) != (first, last):
                raise ValueError("give year or start/end, not both")
            object.__setattr__(self, "start", first)
            object.__setattr__(self, "end", last)
        if self.start is None:
            raise ValueError("temporal coverage needs year or start")
        if self.end is not None and self.end < self.start:
            raise ValueError("end is before start")
        return self


class DatasetSpec(_Strict):
    """A dataset as its definition file states it."""

    slug: Slug
    title: str = Field(min_length=3)
    title_en: str = Field(min_length=3)
    category: str
    description: Text
    source: Source
    classification: Classification
    organization: str
    frequency: Frequency
    temporal: Temporal
    spatial: Spatial
    license: str
    tags: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9 -]*$")]] = Field(
        min_length=1
    )
    groups: list[str] = Field(default_factory=list)
    formats: list[Format] = Field(default_factory=lambda: list(FORMATS))
    row_scope: list[ColumnName] = Field(default_factory=list)
    allowed_roles: list[str] = Field(default_factory=list)
    primary_key: list[ColumnName] = Field(default_factory=list)
    lineage: list[str] = Field(default_factory=list)
    status: Status = "published"
    issued: dt.date = dt.date(2024, 1, 2)

    @field_validator("tags", mode="before")
    @classmethod
    def _years_are_tags(cls, value: object) -> object:
        # YAML reads a bare year (2023) as a number; a tag is its text.
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    @model_validator(mode="after")
    def _rules(self) -> DatasetSpec:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}; known: {', '.join(CATEGORIES)}")
        names = self.source.column_names()
        if len(set(names)) != len(names):
            raise ValueError("source.columns lists a column twice")
        for group, listed in (("row_scope", self.row_scope), ("primary_key", self.primary_key)):
            missing = [c for c in listed if c not in names]
            if missing:
                raise ValueError(f"{group} names columns not exposed: {missing}")
        if self.classification == "restricted" and not self.allowed_roles:
            raise ValueError("a restricted dataset needs allowed_roles")
        if self.classification != "restricted" and self.allowed_roles:
            raise ValueError("allowed_roles only applies to restricted datasets")
        if self.classification == "public" and self.license == "internal":
            raise ValueError("a public dataset needs an open licence")
        if self.classification != "public" and self.license != "internal":
            raise ValueError("an internal or restricted dataset has the licence 'internal'")
        return self


class SchemaField(_Strict):
    """A resolved data-dictionary field of one dataset (a Table Schema field)."""

    name: str
    title: str
    title_en: str
    type: FieldType
    description: str
    description_en: str
    unit: str | None
    format: str | None
    codelist: str | None
    personal: bool
    row_scoped: bool
    constraints: dict[str, object]


class Organization(_Strict):
    """An organisation that owns datasets."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9-]*$")]
    name: str
    name_en: str
    description: str
    url: str | None = None

    @property
    def slug(self) -> str:
        """The lower-case name used in URLs and CKAN (``dit-pkn``)."""
        return self.code.lower()


class Group(_Strict):
    """A theme that groups datasets across categories (a CKAN group)."""

    name: Slug
    title: str
    title_en: str
    description: str


class License(_Strict):
    """A licence a dataset is published under."""

    id: str
    title: str
    url: str
    open: bool
