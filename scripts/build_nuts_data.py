"""Build src/klaster/taxonomy/data/nuts2021_codes.csv: every NUTS 2021 code (levels 0-3),
its level, country and Latin name.

Input : Eurostat GISCO NUTS 2021 regions (any scale; default the 1:60 million GeoJSON in
        ../shared/data/geo/nuts2021_60m_4326.geojson). Only the codes, levels and names
        are kept: these are the classification of Commission Delegated Regulation (EU)
        2019/1755 (NUTS 2021), free to reuse; no boundary (the GISCO geometry is not
        shipped: EuroGeographics' terms forbid commercial use).
Run   : ``uv run python scripts/build_nuts_data.py [--source PATH]``.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from klaster.fileio import atomic_output

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "klaster" / "taxonomy" / "data" / "nuts2021_codes.csv"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", type=Path,
                    default=ROOT.parent / "shared" / "data" / "geo" / "nuts2021_60m_4326.geojson")
    args = ap.parse_args()
    data = json.loads(args.source.read_text(encoding="utf-8"))
    rows = sorted(
        (f["properties"]["NUTS_ID"], int(f["properties"]["LEVL_CODE"]),
         f["properties"]["CNTR_CODE"], f["properties"]["NAME_LATN"])
        for f in data["features"])
    with atomic_output(OUT) as tmp:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["code", "level", "country", "name"])
            w.writerows(rows)
    print(f"wrote {len(rows)} codes to {OUT}")


if __name__ == "__main__":
    main()
