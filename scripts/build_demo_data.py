"""Build the packaged demo table src/klaster/data/demo/cbp2021_states.parquet.

Source: US Census Bureau, County Business Patterns 2021 (public domain), state x
6-digit NAICS 2017 extract at ../shared/data/cbp/cbp2021_state_naics6.csv (see
../shared/data/cbp/README.md). The table is loaded with klaster's own CBP loader, so
the demo data is exactly what `klaster.data.cbp.load_cbp` produces, then written
atomically (temporary file + rename).

Usage: uv run python scripts/build_demo_data.py [path/to/cbp2021_state_naics6.csv]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "cbp" / "cbp2021_state_naics6.csv"
TARGET = ROOT / "src" / "klaster" / "data" / "demo" / "cbp2021_states.parquet"


def main(argv: list[str]) -> int:
    from klaster.data.cbp import load_cbp
    from klaster.fileio import atomic_output

    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    result = load_cbp(source, year=2021)
    table = result.table.sort("region", "industry")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(TARGET) as tmp:
        table.write_parquet(tmp, compression="zstd", statistics=False)
    print(f"source   : {source}")
    print(f"rows     : {table.height}")
    print(f"states   : {table['region'].n_unique()}")
    print(f"employees: {table['employment'].sum():,.0f}")
    print(f"estabs   : {table['establishments'].sum():,.0f}")
    print(f"warnings : {result.issues.counts()}")
    print(f"written  : {TARGET} ({TARGET.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
