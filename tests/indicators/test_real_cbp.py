"""Real data: CBP 2021 state x NAICS6, with 2-digit NAICS sectors as "clusters".

Expectations are computed independently here with pandas / plain Python (and the
published file totals from ../shared/data/cbp/README.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from klaster.indicators import indicators_from_clusters

pytestmark = pytest.mark.shared_data

TRADED_SECTORS = {"31", "32", "33", "21", "11"}  # arbitrary split, only to exercise flags


@pytest.fixture(scope="module")
def frames(cbp_state_csv):
    raw = pd.read_csv(cbp_state_csv, dtype={"naics": str, "state": str})
    raw["sector"] = raw["naics"].str[:2]
    # The cluster table built with Polars: sector sums per state.
    table = (
        pl.read_csv(cbp_state_csv, schema_overrides={"naics": pl.Utf8})
        .group_by("state", pl.col("naics").str.slice(0, 2).alias("cluster"))
        .agg(
            pl.col("employees").sum().cast(pl.Float64).alias("employment"),
            pl.col("establishments").sum().cast(pl.Float64),
            pl.col("payroll").sum().cast(pl.Float64),
        )
        .rename({"state": "region"})
        .with_columns(
            pl.col("cluster").alias("cluster_name"),
            pl.when(pl.col("cluster").is_in(list(TRADED_SECTORS)))
            .then(pl.lit("traded")).otherwise(pl.lit("local")).alias("cluster_type"),
            pl.lit(2021, dtype=pl.Int32).alias("year"),
        )
    )
    return raw, indicators_from_clusters(table), indicators_from_clusters(table, lq_denominator="type")


def test_totals_match_file(frames):
    raw, out, _ = frames
    assert out["employment"].sum() == 126_204_855  # README of the shared data
    assert out["establishments"].sum() == 8_056_737
    assert out["region"].n_unique() == 50
    by_sector = raw.groupby("sector")["employees"].sum()
    got = dict(out.group_by("cluster").agg(pl.col("employment").sum()).iter_rows())
    for sector, total in by_sector.items():
        assert got[sector] == total


@pytest.mark.parametrize(
    "state,sector", [("MI", "33"), ("NV", "72"), ("TX", "21"), ("DE", "52"), ("VT", "31")]
)
def test_lq_against_pandas(frames, state, sector):
    raw, out, out_type = frames
    e_rc = raw[(raw.state == state) & (raw.sector == sector)]["employees"].sum()
    e_r = raw[raw.state == state]["employees"].sum()
    e_c = raw[raw.sector == sector]["employees"].sum()
    e = raw["employees"].sum()
    row = out.filter((pl.col("region") == state) & (pl.col("cluster") == sector)).row(0, named=True)
    assert row["lq"] == pytest.approx((e_rc / e_r) / (e_c / e), rel=1e-12)
    assert row["national_share"] == pytest.approx(e_rc / e_c, rel=1e-12)
    assert row["region_share"] == pytest.approx(e_rc / e_r, rel=1e-12)
    pay = raw[(raw.state == state) & (raw.sector == sector)]["payroll"].sum()
    assert row["wage"] == pytest.approx(pay / e_rc, rel=1e-12)
    # type denominator: same-type employment of the state and of the nation
    kind = raw["sector"].isin(TRADED_SECTORS) == (sector in TRADED_SECTORS)
    e_r_t = raw[(raw.state == state) & kind]["employees"].sum()
    e_t = raw[kind]["employees"].sum()
    row_t = out_type.filter((pl.col("region") == state) & (pl.col("cluster") == sector)).row(0, named=True)
    assert row_t["lq"] == pytest.approx((e_rc / e_r_t) / (e_c / e_t), rel=1e-12)


def test_strong_flags_against_numpy(frames):
    raw, out, _ = frames
    sector = "33"
    per_state = raw[raw.sector == sector].groupby("state")[["employees", "establishments"]].sum()
    e_r = raw.groupby("state")["employees"].sum()
    share_n = per_state["employees"].sum() / raw["employees"].sum()
    lq = (per_state["employees"] / e_r[per_state.index]) / share_n
    pos = per_state["employees"] > 0
    p75 = np.percentile(lq[pos], 75)
    e25 = np.percentile(per_state["employees"][pos], 25)
    n25 = np.percentile(per_state["establishments"][pos], 25)
    expected = {
        s for s in per_state.index
        if lq[s] >= p75 and lq[s] >= 1 and per_state.loc[s, "employees"] > e25
        and per_state.loc[s, "establishments"] > n25
    }
    got = set(out.filter((pl.col("cluster") == sector) & pl.col("strong"))["region"])
    assert got == expected and len(got) > 0
    local = out.filter(pl.col("cluster") == "72")
    assert local["strong"].null_count() == local.height
