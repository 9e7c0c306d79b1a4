"""Event codes are stable and documented: the README table and the code agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from treasury.warehouse.events import CODES, EventLog

README = Path(__file__).parents[2] / "src" / "treasury" / "warehouse" / "README.md"


def test_every_event_code_is_documented() -> None:
    rows = re.findall(
        r"^\| (W\d{3}) \| (\w+) \| (.+?) \|$", README.read_text(encoding="utf-8"), re.M
    )
    assert {code: (level, text) for code, level, text in rows} == {
        code: (level, text) for code, (level, text) in CODES.items()
    }


def test_events_have_the_level_of_their_code() -> None:
    log = EventLog()
    log.emit("W105", "span_sp2d/2024-02: lacks required columns: nilai")
    assert log.to_list() == [
        {
            "code": "W105",
            "level": "error",
            "message": "span_sp2d/2024-02: lacks required columns: nilai",
        }
    ]
    assert log.has_errors
    with pytest.raises(KeyError):
        log.emit("W999", "unknown")
