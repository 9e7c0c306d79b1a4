"""Open data: the treasury's datasets for people and systems, under the ministry's rules.

- native API v1 (``api.py``): search datasets, metadata and Table Schema, rows with filters
  and keyset pages, time travel, exports (CSV, XLSX, JSON, NDJSON, Parquet; ``exports.py``),
  Frictionless data packages, sandboxed SQL; one envelope for every answer (``envelope.py``)
- CKAN-compatible Action API and DCAT-AP catalog for harvesters
- pages: catalog, dataset page, uploads, data requests (``templates/opendata``)

Every read goes through :class:`treasury.warehouse.reader.Reader` (access policies, audit).
``routes.py`` assembles the product's router.
"""
