"""Build the packaged EU demo table src/klaster/data/demo/eurostat_sbs_nuts2.parquet.

Source: Eurostat, structural business statistics by NUTS 2 region and NACE Rev.2
(sbs_r_nuts06_r2, bulk TSV as published c. 2017), ../shared/data/eurostat/
sbs_r_nuts06_r2.tsv.gz (CC BY 4.0, "Source: Eurostat"; see ../shared/data/README.md).
The file is read with klaster's own Eurostat loader (every flag kept), then only what the
EU demo needs is kept:

- indicators V16110 (persons employed -> employment) and V11210 (local units ->
  establishments); no wages (payroll stays null);
- NUTS 2 regions of the 28 EU member states of the data's time (no Norway, no national or
  NUTS 1 totals, no extra-regio "ZZ" codes), under the codes as published (NUTS 2006,
  2010 and 2013 codes side by side: the demo recodes them to NUTS 2021 when loaded);
- NACE divisions (2-digit codes: what the `nace-division` definitions use), 2008-2015.

Written atomically (temporary file + rename), zstd-compressed. The source is not
shipped; this table is (CC BY 4.0, NOTICE beside it).

Usage: uv run python scripts/build_demo_eu_data.py [path/to/sbs_r_nuts06_r2.tsv.gz]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "eurostat" / "sbs_r_nuts06_r2.tsv.gz"
TARGET = ROOT / "src" / "klaster" / "data" / "demo" / "eurostat_sbs_nuts2.parquet"

# The 28 member states of 2013-2020 as Eurostat codes them (EL = Greece, UK = the United
# Kingdom): the benchmark economy of the demo.
EU28 = ("AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI "
        "SK UK").split()


def main(argv: list[str]) -> int:
    import polars as pl

    from klaster.data.eurostat import load_eurostat_tsv
    from klaster.fileio import atomic_output

    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    result = load_eurostat_tsv(source, indicators={"V16110": "employment",
                                                   "V11210": "establishments"})
    t = result.table
    table = (t.filter(pl.col("region").str.len_chars() == 4,
                      pl.col("region").str.slice(0, 2).is_in(EU28),
                      ~pl.col("region").str.ends_with("ZZ"),
                      pl.col("industry").str.contains(r"^\d{2}$"))
             .sort("region", "industry", "year"))
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(TARGET) as tmp:
        table.write_parquet(tmp, compression="zstd", compression_level=19,
                            statistics=False)
    print(f"source    : {source}")
    print(f"rows      : {table.height:,} (of {t.height:,})")
    print(f"regions   : {table['region'].n_unique()}")
    print(f"divisions : {table['industry'].n_unique()}")
    print(f"years     : {sorted(table['year'].unique().to_list())}")
    print(f"employment: {table['employment'].sum():,.0f} (all years)")
    print(f"null employment cells: {int(table['employment'].is_null().sum()):,}")
    print(f"written   : {TARGET} ({TARGET.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
