"""A small Python client of the open-data API v1 (httpx).

Examples
--------
>>> from treasury.client import OpenData
>>> od = OpenData("https://data.example.go.id", token="tbd_...")  # doctest: +SKIP
>>> df = od.dataset("bansos-2023").to_pandas(bulan__gte=6, kode_provinsi="35")  # doctest: +SKIP
>>> for row in od.dataset("sp2d-rincian").rows(nilai__gt=1_000_000):  # doctest: +SKIP
...     print(row["nomor_sp2d"])
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import pandas as pd


class OpenDataError(RuntimeError):
    """The API answered with its error envelope (``status``, ``code``, ``message``)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _params(filters: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in filters.items():
        if isinstance(value, list | tuple | set):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out[key] = str(value)
    return out


class Dataset:
    """One dataset of an :class:`OpenData` portal."""

    def __init__(self, client: OpenData, slug: str) -> None:
        self.client = client
        self.slug = slug

    def metadata(self) -> dict[str, Any]:
        """Title, description, Table Schema and links."""
        data: dict[str, Any] = self.client.get(f"/api/v1/datasets/{self.slug}")["data"]
        return data

    def pages(self, page_size: int = 1000, **filters: Any) -> Iterator[dict[str, Any]]:
        """Each page's envelope, following ``meta.next`` to the end."""
        params = {**_params(filters), "limit": str(page_size)}
        while True:
            body = self.client.get(f"/api/v1/datasets/{self.slug}/rows", params)
            yield body
            token = body["meta"].get("next")
            if not token:
                return
            params["next"] = token

    def rows(self, page_size: int = 1000, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every matching row, fetched page by page with keyset tokens.

        Parameters
        ----------
        page_size
            Rows per request (at most 1000).
        **filters
            ``col__op=value`` filters (``eq ne gt gte lt lte in contains startswith
            isnull``), plus ``columns=``, ``sort=``, ``version=``, ``q=``.
        """
        for body in self.pages(page_size, **filters):
            yield from body["data"]

    def to_pandas(self, page_size: int = 1000, **filters: Any) -> pd.DataFrame:
        """Every matching row as a DataFrame (columns in the dataset's order)."""
        import pandas as pd

        columns: list[str] | None = None
        records: list[dict[str, Any]] = []
        for body in self.pages(page_size, **filters):
            columns = columns or list(body["meta"]["columns"])
            records.extend(body["data"])
        return pd.DataFrame.from_records(records, columns=columns)


class OpenData:
    """A client of a Treasury Big Data portal.

    Parameters
    ----------
    url
        The portal's base URL.
    token
        An API token (sent as ``Authorization: Bearer``), or None for anonymous reads.
    timeout
        Seconds per request.
    """

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)

    def get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """GET an API path; raises :class:`OpenDataError` for an error envelope."""
        response = self.http.get(path, params=params)
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            response.raise_for_status()
            raise
        if not body.get("ok", False):
            error = body.get("error", {})
            raise OpenDataError(
                int(error.get("status", response.status_code)),
                str(error.get("code", "error")),
                str(error.get("message", response.text[:200])),
            )
        return body

    def datasets(self, q: str = "", **filters: Any) -> list[dict[str, Any]]:
        """Every dataset matching a search (all pages)."""
        out: list[dict[str, Any]] = []
        params = {**_params(filters), "q": q, "limit": "100", "offset": "0"}
        while True:
            body = self.get("/api/v1/datasets", params)
            out.extend(body["data"])
            following = body["meta"].get("next_offset")
            if following is None:
                return out
            params["offset"] = str(following)

    def dataset(self, slug: str) -> Dataset:
        """A dataset by slug."""
        return Dataset(self, slug)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def __enter__(self) -> OpenData:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
