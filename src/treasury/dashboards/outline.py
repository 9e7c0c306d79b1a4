"""The outline of Indonesia for offline maps, and the converter that made it.

``data/indonesia.geojson`` is Indonesia (ISO 3166 numeric 360) from Natural Earth 1:50m as
packaged by the ``world-atlas`` npm package (``countries-50m.json``, TopoJSON, ISC licence; see
``data/README.md``). :func:`convert` decodes the TopoJSON arcs, rounds to 0.01 degree and drops
repeated points. Pages draw the outline as a plain line trace (lon/lat on x/y), so nothing is
fetched at run time.

Run ``python -m treasury.dashboards.outline path/to/countries-50m.json`` to rebuild the file.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

OUTLINE = Path(__file__).parent / "data" / "indonesia.geojson"


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of each arc (TopoJSON arcs are quantised and delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[list[float]]:
    ring: list[list[float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        for lon, lat in points[1:] if ring else points:
            point = [round(lon, 2), round(lat, 2)]
            if not ring or ring[-1] != point:
                ring.append(point)
    return ring


def convert(topology: dict[str, Any], country_id: str = "360") -> dict[str, Any]:
    """The GeoJSON MultiPolygon of one country of a world-atlas topology."""
    arcs = _arcs(topology)
    geometry = next(
        g for g in topology["objects"]["countries"]["geometries"] if str(g.get("id")) == country_id
    )
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    coordinates = [
        [ring for ring in (_ring(arcs, r) for r in polygon) if len(ring) >= 4]
        for polygon in polygons
    ]
    return {
        "type": "Feature",
        "properties": {
            "name": geometry.get("properties", {}).get("name", country_id),
            "source": "Natural Earth 1:50m via world-atlas 2.0.2 (countries-50m.json)",
        },
        "geometry": {"type": "MultiPolygon", "coordinates": [p for p in coordinates if p]},
    }


@cache
def outline_lines() -> tuple[list[float | None], list[float | None]]:
    """Lon and lat lists of the outline's rings separated by ``None`` (one line trace)."""
    feature = json.loads(OUTLINE.read_text(encoding="utf-8"))
    lons: list[float | None] = []
    lats: list[float | None] = []
    for polygon in feature["geometry"]["coordinates"]:
        for ring in polygon:
            lons.extend(p[0] for p in ring)
            lats.extend(p[1] for p in ring)
            lons.append(None)
            lats.append(None)
    return lons, lats


def main(argv: list[str]) -> None:
    """Rebuild ``data/indonesia.geojson`` from a ``countries-50m.json`` path."""
    topology = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    OUTLINE.write_text(json.dumps(convert(topology), separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUTLINE} ({OUTLINE.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
