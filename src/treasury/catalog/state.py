"""A dataset's publication state as renderers show it: status, dates, current version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from treasury.catalog.dataset import Dataset


@dataclass(frozen=True)
class DatasetState:
    """What the app database knows of a dataset (its definition knows the rest).

    Attributes
    ----------
    status
        ``draft``, ``review``, ``published`` or ``retired``.
    created, modified
        When the entry was first issued and last changed (status, version), timezone-aware.
    version
        The lake/snapshot version currently published, None before the first one.
    rows
        Row count of that version, when known.
    """

    status: str
    created: dt.datetime
    modified: dt.datetime
    version: str | None = None
    rows: int | None = None


def initial_state(dataset: Dataset) -> DatasetState:
    """The state of a dataset nothing has been recorded for: its definition's status and date."""
    issued = dt.datetime.combine(dataset.issued, dt.time(), tzinfo=dt.UTC)
    return DatasetState(dataset.status, issued, issued)


def utc_naive(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC without tzinfo (naive values are taken as UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def isoformat(moment: dt.datetime) -> str:
    """CKAN's timestamp form: UTC, no offset, microseconds (``2024-01-02T00:00:00.000000``)."""
    return utc_naive(moment).isoformat(timespec="microseconds")
