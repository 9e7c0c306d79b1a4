"""Export formats and the URLs every renderer (CKAN, DCAT, data package) points at."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from treasury.catalog.models import Format

_IANA = "http://www.iana.org/assignments/media-types/"
_EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
_IDS = uuid.UUID("5f0f7c1e-6d1a-4b8e-9a59-7a4f0d2c9e11")


@dataclass(frozen=True)
class ExportFormat:
    """A download format: its key, CKAN label, media type and EU file-type URI (if any)."""

    key: Format
    label: str
    mimetype: str
    eu_file_type: str | None

    @property
    def media_type_uri(self) -> str:
        """The IANA URI of the media type (DCAT ``dcat:mediaType``)."""
        return _IANA + self.mimetype


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csv", "CSV", "text/csv", _EU_FILE_TYPE + "CSV"),
    "xlsx": ExportFormat(
        "xlsx",
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _EU_FILE_TYPE + "XLSX",
    ),
    "json": ExportFormat("json", "JSON", "application/json", _EU_FILE_TYPE + "JSON"),
    "ndjson": ExportFormat("ndjson", "NDJSON", "application/x-ndjson", None),
    "parquet": ExportFormat(
        "parquet", "Parquet", "application/vnd.apache.parquet", _EU_FILE_TYPE + "PARQUET"
    ),
}


def base(base_url: str) -> str:
    """The base URL without its trailing slash."""
    return base_url.rstrip("/")


def absolute(base_url: str, url: str) -> str:
    """``url`` made absolute against the portal's base URL when it is a path."""
    return base(base_url) + url if url.startswith("/") else url


def dataset_url(base_url: str, slug: str) -> str:
    """The dataset's page (its landing page and DCAT URI)."""
    return f"{base(base_url)}/dataset/{slug}"


def export_url(base_url: str, slug: str, fmt: str) -> str:
    """Where the whole dataset downloads in one format.

    Examples
    --------
    >>> export_url("https://data.example.go.id/", "bansos-2023", "csv")
    'https://data.example.go.id/api/v1/datasets/bansos-2023/export.csv'
    """
    return f"{base(base_url)}/api/v1/datasets/{slug}/export.{EXPORT_FORMATS[fmt].key}"


def datastore_url(base_url: str, resource_id: str) -> str:
    """The CKAN datastore query of a resource."""
    return f"{base(base_url)}/api/3/action/datastore_search?resource_id={resource_id}"


def api_url(base_url: str) -> str:
    """The CKAN-compatible Action API endpoint (the catalog's DCAT data service)."""
    return f"{base(base_url)}/api/3/action"


def package_id(slug: str) -> str:
    """A stable UUID for a dataset (CKAN ``id``), the same on every host."""
    return str(uuid.uuid5(_IDS, f"dataset:{slug}"))


def resource_id(slug: str, key: str) -> str:
    """A stable UUID for one of a dataset's resources (``datastore`` or a format key)."""
    return str(uuid.uuid5(_IDS, f"resource:{slug}:{key}"))


def organization_id(code: str) -> str:
    """A stable UUID for an organisation."""
    return str(uuid.uuid5(_IDS, f"organization:{code}"))


def group_id(name: str) -> str:
    """A stable UUID for a group."""
    return str(uuid.uuid5(_IDS, f"group:{name}"))
