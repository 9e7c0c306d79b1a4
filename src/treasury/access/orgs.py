"""Organisations that scope users: Kanwil, KPPN and directorates, checked against ``reference``."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

from treasury import reference
from treasury.access.errors import AccessError
from treasury.access.principal import OrgType

_DIRECTORATE = re.compile(r"^(?=.*[A-Z])[A-Z0-9][A-Z0-9-]{1,31}$")


@cache
def _kanwil_provinces() -> dict[str, tuple[str, ...]]:
    served: defaultdict[str, list[str]] = defaultdict(list)
    table = reference.provinces()
    for prov, kanwil in zip(
        table["kode_provinsi"].to_pylist(), table["kode_kanwil"].to_pylist(), strict=True
    ):
        served[kanwil].append(prov)
    return {kanwil: tuple(sorted(provs)) for kanwil, provs in served.items()}


@cache
def _kanwil_kppn() -> dict[str, tuple[str, ...]]:
    under: defaultdict[str, list[str]] = defaultdict(list)
    table = reference.kppn()
    for code, kanwil in zip(
        table["kode_kppn"].to_pylist(), table["kode_kanwil"].to_pylist(), strict=True
    ):
        under[kanwil].append(code)
    return {kanwil: tuple(sorted(codes)) for kanwil, codes in under.items()}


@cache
def _kppn_kabkota() -> dict[str, tuple[str, ...]]:
    served: defaultdict[str, list[str]] = defaultdict(list)
    table = reference.kppn_kabkota()
    for kabkota, kppn in zip(
        table["kode_kabkota"].to_pylist(), table["kode_kppn"].to_pylist(), strict=True
    ):
        served[kppn].append(kabkota)
    return {kppn: tuple(sorted(codes)) for kppn, codes in served.items()}


@cache
def _kppn_codes() -> frozenset[str]:
    return frozenset(reference.kppn()["kode_kppn"].to_pylist())


def provinces_of_kanwil(kode_kanwil: str) -> tuple[str, ...]:
    """Provinces a Kanwil serves (Kanwil Papua also serves the provinces created in 2022).

    Examples
    --------
    >>> provinces_of_kanwil("33")
    ('91', '93', '94', '95')
    >>> provinces_of_kanwil("15")
    ('35',)
    """
    return _kanwil_provinces().get(kode_kanwil, ())


def kppn_of_kanwil(kode_kanwil: str) -> tuple[str, ...]:
    """KPPN under a Kanwil."""
    return _kanwil_kppn().get(kode_kanwil, ())


def kabkota_of_kppn(kode_kppn: str) -> tuple[str, ...]:
    """Kab/kota a KPPN serves (none for the special ``khusus`` offices)."""
    return _kppn_kabkota().get(kode_kppn, ())


def parse_org(text: str | None) -> tuple[OrgType | None, str | None]:
    """Parse and check an organisation: ``kanwil:15``, ``kppn:086``, ``directorate:DIT-PKN``.

    Without a prefix, 2 digits is a Kanwil, 3 digits a KPPN and anything else a directorate.

    Raises
    ------
    AccessError
        When the Kanwil or KPPN does not exist or the directorate code is malformed.

    Examples
    --------
    >>> parse_org("15")
    (<OrgType.kanwil: 'kanwil'>, '15')
    >>> parse_org("kppn:086")
    (<OrgType.kppn: 'kppn'>, '086')
    >>> parse_org("DIT-PKN")
    (<OrgType.directorate: 'directorate'>, 'DIT-PKN')
    """
    if text is None or not text.strip():
        return None, None
    text = text.strip()
    kind, sep, code = text.partition(":")
    if sep:
        try:
            org_type = OrgType(kind.strip().lower())
        except ValueError:
            raise AccessError(
                f"unknown organisation type {kind!r}: use kanwil:, kppn: or directorate:"
            ) from None
        code = code.strip()
    else:
        code = text
        org_type = (
            OrgType.kanwil
            if code.isdigit() and len(code) == 2
            else OrgType.kppn
            if code.isdigit() and len(code) == 3
            else OrgType.directorate
        )
    if org_type is OrgType.kanwil and code not in _kanwil_provinces():
        raise AccessError(f"unknown Kanwil code {code!r} (two digits, 01..34)")
    if org_type is OrgType.kppn and code not in _kppn_codes():
        raise AccessError(f"unknown KPPN code {code!r} (three digits, see reference.kppn())")
    if org_type is OrgType.directorate:
        code = code.upper()
        if not _DIRECTORATE.match(code):
            raise AccessError(
                f"invalid directorate code {code!r}: 2-32 letters, digits or '-', e.g. DIT-PKN"
            )
    return org_type, code
