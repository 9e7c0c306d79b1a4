"""Rebuild the region files in ``data/`` from the ``idn-area-data`` npm package (maintainers only).

Usage::

    cd /tmp && npm pack idn-area-data && tar xzf idn-area-data-*.tgz
    python -m treasury.reference.idn_area /tmp/package/data src/treasury/reference/data

The output is a derivative database under the ODbL: keep ``data/ATTRIBUTION.md`` up to date
with the package version and counts.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from pathlib import Path


def title_case(name: str) -> str:
    """``"KOTA BAU-BAU"`` -> ``"Kota Bau-Bau"`` (each word and each hyphenated part)."""
    return " ".join(
        "-".join(part[:1].upper() + part[1:] for part in word.split("-"))
        for word in name.lower().split(" ")
    )


def kabkota_jenis(code: str, name: str) -> str:
    """Kind of a kab/kota: a number of 71 and above is a kota; Jakarta's are administrative."""
    kind = "kota" if int(code[2:]) >= 71 else "kabupaten"
    return f"{kind}_administrasi" if "ADMINISTRASI" in name.upper() else kind


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def convert(source: Path, target: Path) -> dict[str, int]:
    """Write ``kabkota.csv``, ``kecamatan.csv`` and ``villages.csv.gz`` into ``target``.

    Parameters
    ----------
    source
        The package's ``data`` folder (``regencies.csv``, ``districts.csv``, ``villages.csv``).
    target
        The folder to write to, normally ``src/treasury/reference/data``.

    Returns
    -------
    dict
        Row counts per written file.
    """
    kabkota = [
        [code, r["province_code"], title_case(r["name"]), kabkota_jenis(code, r["name"])]
        for r in _rows(source / "regencies.csv")
        for code in [r["code"].replace(".", "")]
    ]
    _write(target / "kabkota.csv", ["kode_kabkota", "kode_provinsi", "nama", "jenis"], kabkota)
    kecamatan = [[r["code"].replace(".", ""), r["name"]] for r in _rows(source / "districts.csv")]
    _write(target / "kecamatan.csv", ["kode_kecamatan", "nama"], kecamatan)
    villages = [[r["code"].replace(".", ""), r["name"]] for r in _rows(source / "villages.csv")]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kode_desa", "nama"])
    writer.writerows(villages)
    # mtime=0 keeps the compressed bytes identical when the data did not change.
    with (
        (target / "villages.csv.gz").open("wb") as raw,
        gzip.GzipFile(filename="villages.csv", mode="wb", fileobj=raw, mtime=0) as gz,
    ):
        gz.write(buffer.getvalue().encode("utf-8"))
    return {"kabkota": len(kabkota), "kecamatan": len(kecamatan), "villages": len(villages)}


if __name__ == "__main__":
    print(convert(Path(sys.argv[1]), Path(sys.argv[2])))
