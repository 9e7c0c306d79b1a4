"""A catalog dataset: its definition, its data dictionary, and what other layers ask of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from treasury.catalog.models import DatasetSpec, FilterValue, Range, SchemaField


@dataclass(frozen=True)
class PolicyInfo:
    """What the access layer needs to decide on a dataset.

    Attributes
    ----------
    slug, classification
        The dataset and its class (``public``, ``internal``, ``restricted``).
    columns
        Every exposed column, in order.
    row_scoped
        Columns that scope rows to an organisation (``kode_kppn``, ``kode_provinsi``).
    personal
        Columns holding personal data, masked unless a role may see them.
    allowed_roles
        Roles that may read a restricted dataset (empty for the others).
    """

    slug: str
    classification: str
    columns: tuple[str, ...]
    row_scoped: tuple[str, ...]
    personal: tuple[str, ...]
    allowed_roles: tuple[str, ...]


class Dataset(DatasetSpec):
    """A dataset with its data dictionary resolved (``fields``) and the file it came from."""

    fields: tuple[SchemaField, ...]
    origin: str = ""

    @property
    def available(self) -> bool:
        """False while the source table is declared as not built yet."""
        return self.source.available

    @property
    def columns(self) -> tuple[str, ...]:
        """The exposed column names, in order."""
        return tuple(f.name for f in self.fields)

    @property
    def personal_columns(self) -> tuple[str, ...]:
        """Columns flagged as personal data."""
        return tuple(f.name for f in self.fields if f.personal)

    @property
    def row_scoped_columns(self) -> tuple[str, ...]:
        """Columns that scope rows to the reader's organisation."""
        return tuple(f.name for f in self.fields if f.row_scoped)

    def field(self, name: str) -> SchemaField:
        """The data-dictionary field called ``name`` (KeyError if not exposed)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def table_schema(self) -> dict[str, Any]:
        """The data dictionary as a Frictionless Table Schema descriptor.

        Returns
        -------
        dict
            ``fields`` (name, title in Indonesian, type, description, plus ``title_en``,
            ``description_en``, ``unit``, ``codelist``, ``personal``, ``row_scoped`` where set),
            ``primaryKey`` when declared, and ``missingValues``.

        Examples
        --------
        >>> from treasury.catalog import load_catalog
        >>> schema = load_catalog().get("bansos-2023").table_schema()
        >>> [f["name"] for f in schema["fields"]][:3]
        ['tahun', 'bulan', 'kode_ba']
        """
        fields = []
        for f in self.fields:
            out: dict[str, Any] = {
                "name": f.name,
                "title": f.title,
                "type": f.type,
                "description": f.description,
            }
            if f.format:
                out["format"] = f.format
            if f.constraints:
                out["constraints"] = dict(f.constraints)
            out["title_en"] = f.title_en
            if f.description_en:
                out["description_en"] = f.description_en
            for key in ("unit", "codelist"):
                value = getattr(f, key)
                if value:
                    out[key] = value
            if f.personal:
                out["personal"] = True
            if f.row_scoped:
                out["row_scoped"] = True
            fields.append(out)
        schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        return schema

    def policy_info(self) -> PolicyInfo:
        """Classification, columns, row-scoped and personal columns, allowed roles.

        Examples
        --------
        >>> from treasury.catalog import load_catalog
        >>> info = load_catalog().get("sp2d-rincian").policy_info()
        >>> info.classification, info.personal
        ('restricted', ('rekening_penerima',))
        """
        return PolicyInfo(
            slug=self.slug,
            classification=self.classification,
            columns=self.columns,
            row_scoped=self.row_scoped_columns,
            personal=self.personal_columns,
            allowed_roles=tuple(self.allowed_roles),
        )

    def sql_source(self) -> tuple[str, dict[str, FilterValue]]:
        """The snapshot table and the fixed filter the query builder must apply.

        Filter values are a scalar (equality), a list (``IN``) or a :class:`Range`
        (inclusive bounds); :func:`where_sql` renders them.

        Examples
        --------
        >>> from treasury.catalog import load_catalog
        >>> load_catalog().get("bansos-2023").sql_source()
        ('mart_belanja_satker_bulanan', {'tahun': 2023, 'jenis_belanja': '57'})
        """
        return self.source.table, dict(self.source.filter)


def quote(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def where_sql(filters: dict[str, FilterValue]) -> tuple[str, list[Any]]:
    """A parameterised SQL condition (``?`` placeholders) for a fixed filter.

    Returns
    -------
    tuple
        The condition (``"TRUE"`` when there is no filter) and its parameters in order.

    Examples
    --------
    >>> where_sql({"tahun": 2023, "indikator": ["ekspor", "impor"]})
    ('"tahun" = ? AND "indikator" IN (?, ?)', [2023, 'ekspor', 'impor'])
    """
    parts: list[str] = []
    params: list[Any] = []
    for column, value in filters.items():
        col = quote(column)
        if isinstance(value, Range):
            if value.min is not None:
                parts.append(f"{col} >= ?")
                params.append(value.min)
            if value.max is not None:
                parts.append(f"{col} <= ?")
                params.append(value.max)
        elif isinstance(value, list):
            parts.append(f"{col} IN ({', '.join('?' for _ in value)})")
            params.extend(value)
        else:
            parts.append(f"{col} = ?")
            params.append(value)
    return (" AND ".join(parts) or "TRUE"), params
