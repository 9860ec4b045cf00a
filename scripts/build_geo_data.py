"""Build the packaged US-state boundaries used by klaster.reports.

Input : us-atlas 3.0.1 ``counties-10m.json`` (Bostock; ISC licence; from the Census
        Bureau's 2017 cartographic boundary files), default
        ../shared/data/geo/us_atlas_counties_10m.topojson.
Output: src/klaster/reports/data/us_states_10m_simplified.topojson (object ``states``,
        features keyed by 2-digit FIPS, property ``name``) and the licence text beside it.

What it does, and why:
- keeps only the ``states`` object and drops territories outside the project's state
  table (AS 60, GU 66, MP 69, VI 78; PR 72 and DC 11 stay);
- simplifies every *arc* (not every polygon) with Douglas & Peucker (1973), keeping the
  arc end points, so borders shared by two states stay identical and the map has no gaps;
- re-quantizes to a coarser grid and delta-encodes (TopoJSON spec 1.0 §2.1.2) to keep
  the file small (well under 300 KB).

Run: ``uv run python scripts/build_geo_data.py [--tolerance DEG] [--source PATH]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
from itertools import pairwise
from pathlib import Path

import numpy as np

from klaster.fileio import atomic_output

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "geo" / "us_atlas_counties_10m.topojson"
OUT_DIR = ROOT / "src" / "klaster" / "reports" / "data"
OUT_NAME = "us_states_10m_simplified.topojson"
DROP_FIPS = {"60", "66", "69", "78"}


def absolute_arcs(topo: dict) -> list[np.ndarray]:
    """Real lon/lat of every arc (undo delta encoding and quantization)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        q = np.cumsum(np.asarray(arc, dtype=np.int64), axis=0)
        out.append(np.column_stack([q[:, 0] * sx + tx, q[:, 1] * sy + ty]))
    return out


def douglas_peucker(pts: np.ndarray, tol: float) -> np.ndarray:
    """Indices kept by Douglas-Peucker (Douglas & Peucker 1973), end points always kept.

    For a closed arc (first point == last point) the segment is degenerate, so the
    distance is measured to that point instead of to the segment.
    """
    n = len(pts)
    if n <= 2:
        return np.arange(n)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    if np.array_equal(pts[0], pts[-1]):
        # A closed arc is a whole ring (an island, a lake-free state): the chord is a
        # point, so seed with the point farthest from it and the point farthest from that
        # diameter; a ring then keeps at least 4 positions and stays a valid polygon.
        m1 = int(np.argmax(np.hypot(*(pts - pts[0]).T)))
        ab = pts[m1] - pts[0]
        d = np.abs(ab[0] * (pts[:, 1] - pts[0, 1]) - ab[1] * (pts[:, 0] - pts[0, 0]))
        d[[0, m1, n - 1]] = -1.0
        m2 = int(np.argmax(d))
        cuts = sorted({0, m1, m2, n - 1})
        keep[cuts] = True
        stack = list(pairwise(cuts))
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = pts[i], pts[j]
        seg = pts[i + 1:j]
        ab = b - a
        norm = float(np.hypot(*ab))
        if norm == 0.0:
            d = np.hypot(*(seg - a).T)
        else:
            # perpendicular distance = |cross(ab, p - a)| / |ab|
            d = np.abs(ab[0] * (seg[:, 1] - a[1]) - ab[1] * (seg[:, 0] - a[0])) / norm
        k = int(np.argmax(d))
        if d[k] > tol:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    return np.flatnonzero(keep)


def walk_arcs(arcs, fn):
    if isinstance(arcs, int):
        return fn(arcs)
    return [walk_arcs(a, fn) for a in arcs]


def build(source: Path, tolerance: float, quantization: int) -> dict:
    topo = json.loads(source.read_text(encoding="utf-8"))
    states = [g for g in topo["objects"]["states"]["geometries"] if g["id"] not in DROP_FIPS]
    used: list[int] = []
    seen: set[int] = set()

    def collect(i: int) -> int:
        j = ~i if i < 0 else i
        if j not in seen:
            seen.add(j)
            used.append(j)
        return i

    for g in states:
        walk_arcs(g["arcs"], collect)
    arcs = absolute_arcs(topo)
    remap = {old: new for new, old in enumerate(used)}
    simplified = [arcs[j][douglas_peucker(arcs[j], tolerance)] for j in used]

    allpts = np.vstack(simplified)
    x0, y0 = allpts.min(axis=0)
    x1, y1 = allpts.max(axis=0)
    sx = (x1 - x0) / (quantization - 1)
    sy = (y1 - y0) / (quantization - 1)
    encoded = []
    for pts in simplified:
        q = np.column_stack([np.round((pts[:, 0] - x0) / sx), np.round((pts[:, 1] - y0) / sy)])
        q = q.astype(np.int64)
        # drop consecutive duplicates created by the coarser grid, keep both end points
        keep = np.ones(len(q), dtype=bool)
        keep[1:-1] = np.any(q[1:-1] != q[:-2], axis=1)
        q = q[keep]
        delta = np.vstack([q[:1], np.diff(q, axis=0)])
        encoded.append(delta.tolist())

    # A ring whose arcs shrank to fewer than 4 positions (a tiny island or lake, a few
    # hundred metres across) is no longer a valid polygon ring: drop it, and drop a
    # polygon whose exterior ring went.
    npts = [len(a) for a in encoded]

    def ring_ok(ring):
        return sum(npts[remap[~i if i < 0 else i]] for i in ring) - (len(ring) - 1) >= 4

    def polygon(rings):
        if not ring_ok(rings[0]):
            return None
        return [r for r in rings if ring_ok(r)]

    dropped = 0
    geometries = []
    for g in states:
        polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        kept = [p for p in (polygon(p) for p in polys) if p is not None]
        dropped += sum(len(p) for p in polys) - sum(len(p) for p in kept)
        if not kept:
            raise SystemExit(f"state {g['id']} lost every polygon; lower --tolerance")
        geometries.append({
            "type": "MultiPolygon" if len(kept) > 1 else "Polygon",
            "id": g["id"],
            "properties": {"name": g["properties"]["name"]},
            "arcs": walk_arcs(kept if len(kept) > 1 else kept[0],
                              lambda i: remap[i] if i >= 0 else ~remap[~i]),
        })
    print(f"dropped {dropped} rings that collapsed below 4 positions")
    return {
        "type": "Topology",
        "transform": {"scale": [sx, sy], "translate": [x0, y0]},
        "objects": {"states": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": encoded,
        "metadata": {
            "source": "us-atlas 3.0.1 counties-10m.json (object 'states'), "
                      "from US Census Bureau cartographic boundary files 2017",
            "licence": "ISC, Copyright 2013-2019 Michael Bostock (see us_atlas_LICENSE)",
            "derived_by": "scripts/build_geo_data.py",
            "simplification": f"Douglas-Peucker per arc, tolerance {tolerance} degrees; "
                              f"quantization {quantization}",
        },
    }


def atomic_write(path: Path, text: str) -> None:
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--tolerance", type=float, default=0.02, help="degrees (default 0.02)")
    ap.add_argument("--quantization", type=int, default=100_000)
    args = ap.parse_args()
    topo = build(args.source, args.tolerance, args.quantization)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / OUT_NAME
    atomic_write(out, json.dumps(topo, separators=(",", ":")))
    shutil.copyfile(args.source.parent / "us_atlas_LICENSE", OUT_DIR / "us_atlas_LICENSE")
    n = len(topo["objects"]["states"]["geometries"])
    pts = sum(len(a) for a in topo["arcs"])
    print(f"wrote {out.relative_to(ROOT)}: {n} features, {len(topo['arcs'])} arcs, "
          f"{pts} points, {out.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
