"""The network page's payload on constructed registries with known ties (hand-listed
expectations), and the page itself: visibility, filters, caching, plotly.js served
locally."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from klaster.registry_tables import RegistryTables
from klaster.web import assets
from klaster.web.matchmaking.network import metrics_payload, network_payload

D = dt.date
HELIX = {1: "business", 2: "research", 3: "business", 4: "public", 5: "business",
         6: "research"}


@pytest.fixture
def tables():
    """Six organisations in one cluster since 2020. Project 100 (2021) joins 1, 2, 3;
    activity 201 (2021) joins 4, 5; activity 200 (2022) joins 3, 4; 6 has no tie."""
    return RegistryTables.from_frames(
        "constructed",
        organisations=[{"id": i, "name": f"Org {i}", "helix": h} for i, h in HELIX.items()],
        clusters=[{"id": 10, "name": "C", "status": "operating"}],
        memberships=[{"id": i, "organisation_id": i, "cluster_id": 10, "joined": D(2020, 1, 1)}
                     for i in HELIX],
        projects=[{"id": 100, "cluster_id": 10, "title": "P", "start": D(2021, 1, 1),
                   "end": D(2021, 12, 31)}],
        project_partners=[{"project_id": 100, "organisation_id": i} for i in (1, 2, 3)],
        activities=[{"id": 200, "cluster_id": 10, "start": D(2022, 3, 1)},
                    {"id": 201, "cluster_id": 10, "start": D(2021, 5, 1)}],
        activity_participants=[{"activity_id": 200, "organisation_id": 3},
                               {"activity_id": 200, "organisation_id": 4},
                               {"activity_id": 201, "organisation_id": 4},
                               {"activity_id": 201, "organisation_id": 5}])


def _edges(payload) -> set[tuple[str, float, float]]:
    """(trace name, x0, x1) of every drawn segment — compared through node positions."""
    out = set()
    for trace in payload["figure"]["data"]:
        if trace["mode"] == "lines":
            xs = trace["x"]
            assert len(xs) % 3 == 0 and xs[2::3] == [None] * (len(xs) // 3)
            out |= {(trace["name"], xs[i], xs[i + 1]) for i in range(0, len(xs), 3)}
    return out


def _nodes(payload) -> dict[str, str]:
    """url -> helix trace name of every drawn organisation."""
    return {url: t["name"] for t in payload["figure"]["data"] if t["mode"] == "markers"
            for url in t["customdata"]}


def test_ties_of_one_year_and_type(tables):
    p = network_payload(tables, year=2021, tie_types=("project", "activity"))
    assert (p["nodes"], p["edges"]) == (6, 4)
    assert p["by_tie"] == {"project": 3, "activity": 1, "membership": 0}
    assert len(_nodes(p)) == 6 and _nodes(p)["/organisations/6/"] == "research"
    assert sum(1 for e in _edges(p) if e[0] == "project") == 3
    p22 = network_payload(tables, year=2022, tie_types=("project", "activity"))
    assert (p22["edges"], p22["by_tie"]["activity"], p22["by_tie"]["project"]) == (1, 1, 0)
    only_activity = network_payload(tables, year=2021, tie_types=("activity",))
    assert only_activity["edges"] == 1
    assert [t["name"] for t in only_activity["figure"]["data"] if t["mode"] == "lines"] == [
        "activity"]
    all_years = network_payload(tables, year=None, tie_types=("project", "activity"))
    assert all_years["edges"] == 5
    assert all_years["years"] == [2020, 2021, 2022]


def test_helix_and_visibility_filters(tables):
    p = network_payload(tables, year=2021, helix=["business", "research"])
    # 4 (public) is left out, and with it the tie 4-5.
    assert (p["nodes"], p["edges"]) == (5, 3)
    assert set(p["by_helix"].items()) >= {("business", 3), ("research", 2), ("public", 0)}
    hidden_2 = network_payload(tables, year=2021, visible_ids={1, 3, 4, 5, 6})
    assert (hidden_2["nodes"], hidden_2["edges"]) == (5, 2)  # 1-3 and 4-5
    assert "/organisations/2/" not in _nodes(hidden_2)


def test_membership_ties_and_positions(tables):
    p = network_payload(tables, year=2021, tie_types=("membership",))
    assert p["edges"] == 15  # six members of one cluster: 6 * 5 / 2 pairs
    xs = [x for t in p["figure"]["data"] if t["mode"] == "markers" for x in t["x"]]
    assert len(xs) == 6 and all(0.0 <= x <= 1.0 for x in xs)


def test_metrics_table_is_the_clusters(tables):
    p = metrics_payload(tables, year=2021, cluster_id=10)
    cols = p["columns"]
    (row,) = p["rows"]
    values = dict(zip(cols, row, strict=True))
    # 6 members, 4 ties (projects and activities): density 4 / 15; components {1,2,3},
    # {4,5}, {6}; one isolate of six.
    assert (values["cluster_id"], values["year"], values["members"], values["ties"]) == (
        10, 2021, 6, 4)
    assert values["density"] == round(4 / 15, 3)
    assert values["components"] == 3
    assert values["isolates_share"] == round(1 / 6, 3)


def test_webgl_for_large_networks():
    n = 1200
    big = RegistryTables.from_frames(
        "big", organisations=[{"id": i, "name": f"O{i}", "helix": "business"}
                              for i in range(1, n + 1)],
        clusters=[{"id": 1, "status": "operating"}],
        memberships=[{"id": i, "organisation_id": i, "cluster_id": 1, "joined": D(2022, 1, 1)}
                     for i in range(1, n + 1)],
        projects=[{"id": 1, "cluster_id": 1, "start": D(2022, 1, 1)}],
        project_partners=[{"project_id": 1, "organisation_id": i} for i in (1, 2)])
    p = network_payload(big, year=2022)
    assert p["webgl"] and {t["type"] for t in p["figure"]["data"]} == {"scattergl"}
    assert (p["nodes"], p["edges"]) == (n, 1)
    # scattergl is not in npm's partial bundle: the page loads the full one.
    partial = Path("node_modules/plotly.js-basic-dist-min/plotly-basic.min.js")
    assert assets.plotly_static(assets.figure_trace_types(p["figure"]), partial) == \
        assets.PLOTLY_FULL


def test_small_networks_draw_with_the_partial_bundle(tables):
    p = network_payload(tables, tie_types=("project", "activity", "membership"))
    types = assets.figure_trace_types(p["figure"])
    assert not p["webgl"] and types == {"scatter"}
    assert types <= assets.PLOTLY_PARTIAL_TRACES
    partial = Path("node_modules/plotly.js-basic-dist-min/plotly-basic.min.js")
    assert assets.plotly_static(types, partial) == assets.PLOTLY_PARTIAL


# --- the page -------------------------------------------------------------------------

@pytest.fixture
def project(registry):
    from klaster.web.registry.models import Project

    # org_b (unapproved, member of the hidden cluster only) is a partner of a project of
    # the published cluster: the public must not see it, admins must.
    p = Project.objects.create(cluster=registry["published"], title="Joint line",
                               start=D(2024, 1, 1))
    p.partners.add(registry["org_a"], registry["org_b"])
    return p


def _figure(response):
    match = re.search(r'<script id="network-figure" type="application/json">(.*?)</script>',
                      response.content.decode(), re.DOTALL)
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_page_hides_what_the_viewer_may_not_see(client, registry, project):
    url = reverse("matchmaking:network", args=[registry["published"].pk])
    public = client.get(url + "?year=2024")
    assert public.status_code == 200
    urls = [u for t in _figure(public)["data"] if t["mode"] == "markers" for u in t["customdata"]]
    assert urls == [f"/organisations/{registry['org_a'].pk}/"]
    assert 'data-edges="0"' in public.content.decode()
    client.force_login(registry["admin"])
    admin = client.get(url + "?year=2024")
    urls = {u for t in _figure(admin)["data"] if t["mode"] == "markers" for u in t["customdata"]}
    assert urls == {f"/organisations/{registry['org_a'].pk}/",
                    f"/organisations/{registry['org_b'].pk}/"}
    assert 'data-edges="1"' in admin.content.decode()
    # Only the joint project's year has the tie.
    assert 'data-edges="0"' in client.get(url + "?year=2023").content.decode()
    assert client.get(url + "?year=abc").status_code == 400
    metrics = client.get(reverse("matchmaking:network_metrics",
                                 args=[registry["published"].pk]) + "?year=2024")
    assert metrics.status_code == 200
    body = metrics.content.decode()
    assert "<th>2024</th>" in body and "density" in body
    hidden = reverse("matchmaking:network_metrics", args=[registry["hidden"].pk])
    client.logout()
    assert client.get(hidden).status_code == 404


@pytest.mark.django_db
def test_page_payload_is_cached_until_the_registry_changes(client, registry, project,
                                                           monkeypatch):
    from klaster.web.matchmaking import views

    calls = []
    real = views.network_payload
    monkeypatch.setattr(views, "network_payload",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    url = reverse("matchmaking:network", args=[registry["published"].pk]) + "?year=2024"
    client.force_login(registry["admin"])
    client.get(url)
    client.get(url)
    assert len(calls) == 1
    client.get(url + "&tie=project")  # other filters: another entry
    assert len(calls) == 2
    project.partners.remove(registry["org_b"])
    assert 'data-edges="0"' in client.get(url).content.decode()
    assert len(calls) == 3


@pytest.mark.django_db
def test_plotly_js_is_the_shared_static_file(client, registry):
    """The network page loads plotly.js from the static URL every chart page shares
    (klaster.web.assets: npm's partial bundle when installed, else the installed plotly
    package's file), cached by the browser; 'unsafe-eval' only for the full bundle."""
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    from klaster.web import assets

    r = client.get(reverse("matchmaking:network", args=[registry["published"].pk]))
    name = assets.plotly_static({"scatter"})
    assert f'data-plotly="{static(name)}" defer>'.encode() in r.content
    assert ("unsafe-eval" in r["Content-Security-Policy"]) == (name == assets.PLOTLY_FULL)
    body = Path(finders.find(name)).read_text()
    assert "plotly.js" in body[:2000] and len(body) > 1_000_000
