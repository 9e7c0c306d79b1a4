"""Dashboard filters: year, month range, ministry and region, read from and written to the URL.

Every filter is a query parameter so a view can be shared: ``year``, ``month_from``,
``month_to``, ``ministry`` (BA code), ``province``, ``kabkota``, ``satker``, ``kppn``. Values are
checked here (digits of the right length, months 1-12, ``month_from <= month_to``); a bad value
raises :class:`FilterError` naming the field in words a user understands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

#: Query parameter -> (pattern, Indonesian message, English message) of the code filters.
CODES: dict[str, tuple[str, str, str]] = {
    "ministry": (r"\d{3}", "kode K/L harus 3 angka (mis. 015)", "ministry code must be 3 digits"),
    "province": (r"\d{2}", "kode provinsi harus 2 angka (mis. 35)", "province code is 2 digits"),
    "kabkota": (r"\d{4}", "kode kab/kota harus 4 angka (mis. 3578)", "kab/kota code is 4 digits"),
    "satker": (r"\d{6}", "kode satker harus 6 angka", "satker code must be 6 digits"),
    "kppn": (r"\d{3}", "kode KPPN harus 3 angka (mis. 086)", "KPPN code must be 3 digits"),
}
PARAMS = ("year", "month_from", "month_to", *CODES)


class FilterError(ValueError):
    """A filter value that cannot be used: the field and what is wrong (``id`` and ``en``)."""

    def __init__(self, field: str, message_id: str, message_en: str) -> None:
        super().__init__(f"{field}: {message_en}")
        self.field = field
        self.message_id = message_id
        self.message_en = message_en

    def message(self, lang: str) -> str:
        """The message in ``lang`` prefixed by the field name."""
        return f"{self.field}: {self.message_id if lang == 'id' else self.message_en}"


@dataclass(frozen=True)
class Filters:
    """The filters of one dashboard view. ``None`` means "not set" (defaults are resolved later)."""

    year: int | None = None
    month_from: int = 1
    month_to: int | None = None
    ministry: str | None = None
    province: str | None = None
    kabkota: str | None = None
    satker: str | None = None
    kppn: str | None = None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        """Filters from query parameters; empty values count as not set.

        Raises
        ------
        FilterError
            A value of the wrong form, or a month range that runs backwards.

        Examples
        --------
        >>> Filters.parse({"year": "2023", "month_to": "6", "province": "35"})
        Filters(year=2023, month_from=1, month_to=6, ministry=None, province='35', kabkota=None, satker=None, kppn=None)
        >>> Filters.parse({"month_from": "13"})
        Traceback (most recent call last):
        ...
        treasury.dashboards.filters.FilterError: month_from: a month is a number from 1 to 12
        """
        values: dict[str, Any] = {}
        raw = {k: (params.get(k) or "").strip() for k in PARAMS}
        if raw["year"]:
            if not re.fullmatch(r"\d{4}", raw["year"]) or not 2000 <= int(raw["year"]) <= 2100:
                raise FilterError(
                    "year", "tahun harus 4 angka (mis. 2023)", "a year has 4 digits (e.g. 2023)"
                )
            values["year"] = int(raw["year"])
        for name in ("month_from", "month_to"):
            if raw[name]:
                if not re.fullmatch(r"\d{1,2}", raw[name]) or not 1 <= int(raw[name]) <= 12:
                    raise FilterError(
                        name, "bulan adalah angka 1 sampai 12", "a month is a number from 1 to 12"
                    )
                values[name] = int(raw[name])
        for name, (pattern, message_id, message_en) in CODES.items():
            if raw[name]:
                if not re.fullmatch(pattern, raw[name]):
                    raise FilterError(name, message_id, message_en)
                values[name] = raw[name]
        made = cls(**values)
        if made.month_to is not None and made.month_from > made.month_to:
            raise FilterError(
                "month_from",
                "bulan awal tidak boleh setelah bulan akhir",
                "month_from must not be after month_to",
            )
        if made.kabkota and made.province and not made.kabkota.startswith(made.province):
            raise FilterError(
                "kabkota",
                "kab/kota tidak berada di provinsi yang dipilih",
                "the kab/kota is not in the chosen province",
            )
        return made

    def with_(self, **changes: Any) -> Filters:
        """A copy with some filters changed."""
        return replace(self, **changes)

    def params(self) -> dict[str, str]:
        """The filters that are set, as query parameters (the inverse of :meth:`parse`)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or (f.name == "month_from" and value == 1):
                continue
            out[f.name] = str(value)
        return out

    def query(self, **extra: str) -> str:
        """The URL query string of these filters (and ``extra``), ``""`` when empty."""
        items = {**self.params(), **extra}
        return "?" + urlencode(items) if items else ""
