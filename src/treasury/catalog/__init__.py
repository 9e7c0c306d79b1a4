"""The dataset catalog: what users may see, described, classified and findable.

- definitions: ``definitions/*.yaml`` (one file per category, plus the shared data dictionary
  ``columns.yaml``, ``organizations.yaml``, ``groups.yaml`` and ``licenses.yaml``)
- registry: :func:`load_catalog` -> :class:`Catalog` of :class:`Dataset` (``table_schema()``,
  ``policy_info()``, ``sql_source()``); :func:`where_sql` renders a fixed filter
- search (``search.py``), status workflow (``workflow.py``), versions (``versions.py``), run-time
  entries (``entries.py``), renderers (``ckan.py``, ``dcat.py``, ``datapackage.py``) and
  ``lineage.py``: import them from their modules. ``README.md`` maps the package.
"""

from __future__ import annotations

from treasury.catalog.dataset import Dataset, PolicyInfo, where_sql
from treasury.catalog.registry import Catalog, DefinitionError, SourceProblem, load_catalog

__all__ = [
    "Catalog",
    "Dataset",
    "DefinitionError",
    "PolicyInfo",
    "SourceProblem",
    "load_catalog",
    "where_sql",
]
