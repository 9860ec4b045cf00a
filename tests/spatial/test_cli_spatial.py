"""`klaster kd` and `klaster delineate` end to end on the real OpenStreetMap points."""

import json

import polars as pl
import typer
from typer.testing import CliRunner

from klaster.spatial.cli import delineate, kd


def _app():
    try:  # registered on the main app
        from klaster.cli import app

        names = {c.name or c.callback.__name__ for c in app.registered_commands}
        if {"kd", "delineate"} <= names:
            return app
    except ImportError:
        pass
    app = typer.Typer()
    app.command()(kd)
    app.command()(delineate)
    return app


HEL = ["--map", "id=osm_id", "--map", "industry=value"]


def test_kd_and_delineate_on_helsinki(shared_data, tmp_path):
    src = str(shared_data / "points" / "helsinki_poi_nodes.csv")
    out = tmp_path / "kd"
    r = CliRunner().invoke(_app(), ["kd", src, *HEL, "-o", str(out), "-i", "restaurant",
                                    "-i", "company", "-i", "bench", "--sims", "19",
                                    "--scheduler", "inline", "--report",
                                    str(tmp_path / "kd.html")])
    assert r.exit_code == 0, r.output
    summary = pl.read_parquet(out / "summary.parquet")
    assert sorted(summary["industry"]) == ["bench", "company", "restaurant"]
    assert summary["localised"].any()  # shops and offices cluster in the centre
    assert "localised" in r.output and (tmp_path / "kd.html").exists()
    r = CliRunner().invoke(_app(), ["delineate", src, *HEL, "-i", "restaurant", "--eps",
                                    "0.15", "--min-weight", "5", "-o",
                                    str(tmp_path / "r.geojson"), "--table",
                                    str(tmp_path / "r.csv")])
    assert r.exit_code == 0, r.output
    fc = json.loads((tmp_path / "r.geojson").read_text(encoding="utf-8"))
    assert fc["features"] and fc["features"][0]["geometry"]["type"] == "Polygon"
    assert pl.read_csv(tmp_path / "r.csv").height == len(fc["features"])


def test_bad_input_exits_2_without_output(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("id,industry,lon,lat\n1,A,24,61\n2,A,24,99\n", encoding="utf-8")
    r = CliRunner().invoke(_app(), ["kd", str(p), "-o", str(tmp_path / "out"),
                                    "--scheduler", "inline"])
    msg = " ".join(r.output.split())
    assert r.exit_code == 2 and "line 3" in msg and "field 'lat'" in msg
    assert not (tmp_path / "out").exists()


def test_main_report_takes_kd_results(tmp_path):
    import numpy as np

    rng = np.random.default_rng(5)
    lon = rng.uniform(23.0, 24.0, 300)
    lat = rng.uniform(52.8, 53.4, 300)
    lon[:25], lat[:25] = rng.normal(23.16, 0.01, 25), rng.normal(53.13, 0.01, 25)
    pts = tmp_path / "firms.csv"
    pl.DataFrame({"id": [f"f{i}" for i in range(300)],
                  "industry": ["25"] * 30 + ["28"] * 270, "lon": lon, "lat": lat}
                 ).write_csv(pts)
    out = tmp_path / "kd"
    r = CliRunner().invoke(_app(), ["kd", str(pts), "-o", str(out), "--sims", "19",
                                    "--scheduler", "inline"])
    assert r.exit_code == 0, r.output
    report = tmp_path / "report.html"
    r = CliRunner().invoke(_app(), ["report", "--demo", "-o", str(report), "--kd", str(out)])
    assert r.exit_code == 0, r.output
    html = report.read_text(encoding="utf-8")
    assert 'id="spatial"' in html and "Kd of 2 industries" in html and "distance (km)" in html
    r = CliRunner().invoke(_app(), ["report", "--demo", "-o", str(tmp_path / "x.html"),
                                    "--kd", str(tmp_path / "nowhere")])
    assert r.exit_code != 0 and "klaster kd" in " ".join(r.output.split())
    assert not (tmp_path / "x.html").exists()


def _small_file(tmp_path):
    """No id column (optional): industry A with 12 firms, B with 1."""
    import numpy as np

    rng = np.random.default_rng(2)
    n = 60
    lon, lat = rng.uniform(23.0, 23.4, n), rng.uniform(53.0, 53.3, n)
    ind = ["A"] * 12 + ["B"] + ["C"] * (n - 13)
    p = tmp_path / "firms.csv"
    pl.DataFrame({"industry": ind, "lon": lon, "lat": lat}).write_csv(p)
    return p


def _run(args):
    r = CliRunner().invoke(_app(), args, env={"COLUMNS": "200"})
    return r, " ".join(r.output.split())


def test_small_messages_say_what_happened(tmp_path):
    src = str(_small_file(tmp_path))
    out = tmp_path / "out"
    r, msg = _run(["kd", src, "-o", str(out), "--sims", "9", "--scheduler", "inline",
                   "--min-firms", "1", "-i", "A", "-i", "B", "--m", "--mfun"])
    assert r.exit_code == 0, r.output
    # the runner never tests fewer than 2 firms, and says so
    assert "1 not tested (fewer than 2 firms)" in msg
    # M and m of a one-firm industry: a named warning, no all-null rows
    assert "M not computed for 'B'" in msg and "m not computed for 'B'" in msg
    m = pl.read_parquet(out / "m.parquet")
    mfun = pl.read_parquet(out / "mfun.parquet")
    assert set(m["industry"]) == {"A"} and set(mfun["industry"]) == {"A"}
    assert m["m"].is_not_null().any() and mfun["m"].is_not_null().any()
    assert set(mfun["function"]) == {"m"} and mfun["bandwidth"][0] > 0
    # both local bands are in the Kd curve
    kd = pl.read_parquet(out / "kd.parquet")
    assert (kd["local_lo_dbmss"] <= kd["local_lo"]).all()
    assert (kd["local_hi_dbmss"] >= kd["local_hi"]).all()


def test_no_curve_no_claim_of_kd_parquet(tmp_path):
    src = str(_small_file(tmp_path))
    out = tmp_path / "out"
    r, msg = _run(["kd", src, "-o", str(out), "--sims", "9", "--scheduler", "inline",
                   "-i", "A", "-i", "B", "--min-firms", "20"])
    assert r.exit_code == 0, r.output
    assert "2 not tested (fewer than 20 firms)" in msg
    assert not (out / "kd.parquet").exists() and "kd.parquet" not in msg
    assert "summary.parquet" in msg


def test_report_names_the_local_band(tmp_path):
    src = str(_small_file(tmp_path))
    report = tmp_path / "r.html"
    r, _ = _run(["kd", src, "-o", str(tmp_path / "out"), "--sims", "9", "--scheduler",
                 "inline", "-i", "C", "--report", str(report), "--local-band", "dbmss"])
    assert r.exit_code == 0, r.output
    html = report.read_text(encoding="utf-8")
    assert "2.5–97.5 % band (dbmss)" in html and "holds 95" in html


def test_lonlat_with_projected_crs_exits_2(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("industry,x,y\nA,23.1,53.1\nA,23.2,53.2\n", encoding="utf-8")
    r, msg = _run(["kd", str(p), "--crs", "EPSG:2180", "-o", str(tmp_path / "out"),
                   "--scheduler", "inline"])
    assert r.exit_code == 2 and "longitude/latitude" in msg and "field 'x'" in msg
    assert "line 2" in msg and not (tmp_path / "out").exists()
