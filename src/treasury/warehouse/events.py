"""Structured pipeline events with stable codes (dbt style), for the run log and for alerting.

Every code is listed in :data:`CODES` with its level and a one-line meaning; the table in
``warehouse/README.md`` documents the same codes and a test keeps the two in step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["info", "warning", "error"]

#: code -> (level, what it means). Codes never change meaning; new events get new codes.
CODES: dict[str, tuple[Level, str]] = {
    "W001": ("info", "run started"),
    "W002": ("info", "run finished"),
    "W003": ("warning", "a stale running run was marked failed (interrupted)"),
    "W004": ("error", "run failed"),
    "W101": ("info", "batch loaded"),
    "W102": ("info", "batch skipped: already loaded"),
    "W103": ("warning", "batch file changed after it was loaded; not reloaded"),
    "W104": ("warning", "extra columns dropped"),
    "W105": ("error", "batch failed: required columns missing"),
    "W106": ("error", "batch failed: file cannot be read"),
    "W107": ("warning", "batch is empty"),
    "W108": ("warning", "landing folder without a contract ignored"),
    "W109": ("warning", "optional columns missing from a file, left empty"),
    "W201": ("warning", "rows quarantined by a rule"),
    "W202": ("warning", "exact duplicate rows removed (quarantined as duplicate_exact)"),
    "W203": ("warning", "reference table unavailable: foreign key check skipped"),
    "W204": ("warning", "reference table is empty"),
    "W301": ("info", "lake table committed"),
    "W302": ("warning", "batches already in a lake table replaced (resumed run)"),
    "W401": ("info", "mart built"),
    "W402": ("error", "mart failed"),
    "W501": ("info", "serving snapshot published"),
    "W502": ("info", "old serving snapshot removed"),
}

log = logging.getLogger("treasury.warehouse")


@dataclass(frozen=True)
class Event:
    """One thing that happened in a run: a stable code, its level and a message."""

    code: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def level(self) -> Level:
        """info, warning or error, fixed by the code."""
        return CODES[self.code][0]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape stored in the run log."""
        out: dict[str, Any] = {"code": self.code, "level": self.level, "message": self.message}
        if self.data:
            out["data"] = self.data
        return out


class EventLog:
    """Events of one stage, also sent to the ``treasury.warehouse`` logger."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, code: str, message: str, **data: Any) -> Event:
        """Record an event; unknown codes are a programming error."""
        if code not in CODES:
            raise KeyError(f"unknown event code {code}")
        event = Event(code, message, data)
        self.events.append(event)
        level = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
        log.log(level[event.level], "%s %s", code, message)
        return event

    @property
    def has_errors(self) -> bool:
        """True when any event is an error."""
        return any(e.level == "error" for e in self.events)

    def to_list(self) -> list[dict[str, Any]]:
        """All events as JSON-ready dicts."""
        return [e.to_dict() for e in self.events]
