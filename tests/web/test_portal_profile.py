"""The faceted directory and its export, the cluster profile (contact form, PDF), the
organisation page. Expected counts and rows are computed in the tests from the records
they create."""

from __future__ import annotations

import csv
import io
from datetime import date

import polars as pl
import pytest
from django.core import mail
from django.core.cache import caches
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from klaster.web import assets
from klaster.web.assessment.models import Label
from klaster.web.registry.models import Cluster, Membership, Organisation, Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh(settings):
    """Uncached pages (the tests read the template context) and zeroed contact counters."""
    settings.KLASTER_PUBLIC_CACHE_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caches[settings.KLASTER_PUBLIC_CACHE_ALIAS].clear()


def _label(cluster, scheme, level):
    """A current label of ``cluster`` (with the application and call it comes from)."""
    from pathlib import Path

    from django.utils import timezone

    from klaster.web.assessment.models import Application, Call, RubricEdition

    edition = RubricEdition.objects.filter(key="web-test").first()
    if edition is None:
        edition = RubricEdition(key="web-test", title="Web test label", content=(
            Path(__file__).parent / "assessment" / "rubric_test.yaml").read_text("utf-8"))
        edition.full_clean()
        edition.save()
    call = Call.objects.create(rubric=edition, title=f"Call {scheme}",
                               deadline=timezone.now(), year=2024)
    app = Application.objects.create(call=call, cluster=cluster, status="decided",
                                     decision="granted", level=level)
    return Label.objects.create(cluster=cluster, application=app, scheme=scheme, level=level,
                                granted=date(2024, 3, 1))


@pytest.fixture
def world(registry, make_user):
    """The registry fixture plus three published clusters of different countries,
    regions, sectors, statuses, helix mixes and labels."""
    orgs = {
        kind: Organisation.objects.create(name_en=f"Member {kind}", id_scheme="OTHER",
                                          id_value=f"X-{kind}", helix=kind, city="Grodno")
        for kind in ("business", "research", "public", "support")
    }
    c1 = Cluster.objects.create(name_en="Amber ICT", status="operating", published=True,
                                country="PL", region="Podlaskie", sector="ICT",
                                founded=date(2010, 1, 1))
    c2 = Cluster.objects.create(name_en="Birch Food", status="forming", published=True,
                                country="BY", region="Hrodna region", sector="Food",
                                founded=date(2021, 1, 1))
    c3 = Cluster.objects.create(name_en="Cedar ICT", status="operating", published=True,
                                country="PL", region="Mazowieckie", sector="ICT")
    for cluster, kinds in ((c1, ("business", "research", "public")), (c2, ("business",)),
                           (c3, ("research", "support"))):
        for kind in kinds:
            Membership.objects.create(organisation=orgs[kind], cluster=cluster,
                                      role="coordinator" if kind == "support" else "member")
    c1.coordinator_organisation = orgs["public"]
    c1.save()
    return {**registry, "orgs": orgs, "c1": c1, "c2": c2, "c3": c3}


def _published_facts():
    """The published clusters with their facet values, read back from the database."""
    out = []
    for c in Cluster.objects.filter(published=True):
        current = Membership.objects.filter(cluster=c, left__isnull=True)
        out.append({"name": c.name_en, "country": c.country, "region": c.region,
                    "sector": c.sector, "status": c.status,
                    "helix": {m.organisation.helix for m in current},
                    "members": current.count(), "founded": c.founded,
                    "labels": {f"{lb.scheme}: {lb.level}" for lb in c.labels.all()}})
    return out


def _counts(facts, key):
    out = {}
    for f in facts:
        values = f[key] if isinstance(f[key], set) else ({f[key]} if f[key] else set())
        for v in values:
            out[v] = out.get(v, 0) + 1
    return out


def test_facet_counts_match_an_independent_count(client, world):
    _label(world["c1"], "KKK", "Key National Cluster")
    facts = _published_facts()
    page = client.get(reverse("portal:directory"))
    facets = {f["name"]: {o["value"]: o["count"] for o in f["options"]}
              for f in page.context["facets"]}
    assert facets["country"] == _counts(facts, "country")
    assert facets["sector"] == _counts(facts, "sector")
    assert facets["status"] == _counts(facts, "status")
    assert facets["region"] == _counts(facts, "region")
    assert facets["helix"] == _counts(facts, "helix")
    assert facets["label"] == {"KKK: Key National Cluster": 1}
    # Filtered: Polish ICT clusters; counts are those of the filtered set.
    page = client.get(reverse("portal:directory"), {"country": "PL", "sector": "ICT"})
    chosen = [f for f in facts if f["country"] == "PL" and f["sector"] == "ICT"]
    assert sorted(r["name"] for r in page.context["rows"]) == sorted(f["name"] for f in chosen)
    facets = {f["name"]: {o["value"]: o["count"] for o in f["options"]}
              for f in page.context["facets"]}
    assert facets["helix"] == _counts(chosen, "helix")
    assert facets["region"] == _counts(chosen, "region")
    # Every option's count is the number of rows its link gives.
    for panel in page.context["facets"]:
        for option in panel["options"]:
            if not option["selected"]:
                r = client.get(reverse("portal:directory") + "?" + option["query"])
                assert len(r.context["rows"]) == option["count"], (panel["name"], option)
    # The count is on the page next to the option.
    html = page.content.decode()
    assert 'data-facet="helix" data-value="research"' in html


def test_sorting_and_coordinator_column(client, world):
    facts = _published_facts()
    rows = client.get(reverse("portal:directory"), {"sort": "-members"}).context["rows"]
    by_members = sorted(facts, key=lambda f: (-f["members"], f["name"].casefold()))
    assert [r["name"] for r in rows] == [f["name"] for f in by_members]
    rows = client.get(reverse("portal:directory"), {"sort": "founded"}).context["rows"]
    dated = sorted((f for f in facts if f["founded"]), key=lambda f: f["founded"])
    undated = sorted((f["name"] for f in facts if not f["founded"]), key=str.casefold)
    assert [r["name"] for r in rows] == [f["name"] for f in dated] + undated
    coordinators = {r["name"]: r["coordinator"] for r in rows}
    # The field, or else the member whose role is "coordinator".
    assert coordinators["Amber ICT"] == "Member public"
    assert coordinators["Cedar ICT"] == "Member support"
    assert coordinators["Birch Food"] == ""


def test_export_is_exactly_what_is_shown(client, world):
    query = {"sector": "ICT", "sort": "-members"}
    shown = [r["name"] for r in client.get(reverse("portal:directory"), query).context["rows"]]
    assert len(shown) == 2
    r = client.get(reverse("portal:directory_export"), {**query, "format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["Cluster"] for row in rows] == shown
    amber = next(row for row in rows if row["Cluster"] == "Amber ICT")
    assert amber["Members"] == "3" and amber["Coordinator"] == "Member public"
    assert amber["Address"].endswith(reverse("portal:cluster", args=[world["c1"].pk]))
    assert "Business; Research / university; Public authority" == amber["Helix types"]
    # Public fields only: no e-mail address, no hidden cluster.
    assert "@" not in r.content.decode("utf-8-sig")
    assert "Hidden cluster" not in r.content.decode("utf-8-sig")
    xlsx = client.get(reverse("portal:directory_export"), {**query, "format": "xlsx"},
                      HTTP_ACCEPT_LANGUAGE="pl")
    table = pl.read_excel(io.BytesIO(xlsx.content))
    assert table["Klaster"].to_list() == shown  # headers in the reader's language
    assert client.get(reverse("portal:directory_export"), {"format": "pdf"}).status_code == 400


def test_profile_page_key_figures_and_charts(client, world):
    c1 = world["c1"]
    Project.objects.create(cluster=c1, title="Joint lab", budget=120000,
                           funding_source="Interreg", start=date(2023, 1, 1))
    _label(c1, "ESCA", "Bronze")
    r = client.get(reverse("portal:cluster", args=[c1.pk]))
    html = r.content.decode()
    assert r.context["member_count"] == 3
    assert dict(r.context["helix_counts"]) == {"Business": 1, "Research / university": 1,
                                               "Public authority": 1}
    assert 'id="cluster-charts-data"' in html
    assert f'data-plotly="{static(assets.plotly_static())}" defer>' in html
    assert "klaster/cluster_charts.js" in html
    assert "<script>" not in html and "<script nonce" not in html.split("<main>")[-1]
    assert "ESCA: Bronze" in html and "Joint lab" in html and "Interreg" in html
    assert reverse("portal:cluster_contact", args=[c1.pk]) in html
    # plotly.js's full bundle needs 'unsafe-eval', npm's partial bundle does not.
    full = assets.plotly_static() == assets.PLOTLY_FULL
    assert ("unsafe-eval" in r["Content-Security-Policy"]) == full


def test_contact_form_mails_the_coordinator_and_is_rate_limited(world, settings):
    settings.KLASTER_CONTACT_PER_IP = 2
    cluster = world["published"]
    world["coord_a"].email = "coord-a@example.org"
    world["coord_a"].save()
    url = reverse("portal:cluster_contact", args=[cluster.pk])
    visitor = Client(REMOTE_ADDR="198.51.100.7")
    page = visitor.get(url).content.decode()
    assert "coord-a@example.org" not in page and 'id="contact-form"' in page
    assert "coord-a@example.org" not in visitor.get(
        reverse("portal:cluster", args=[cluster.pk])).content.decode()
    data = {"name": "Anna Nowak", "email": "anna@example.com", "subject": "Cooperation",
            "message": "We would like to join your B2B day in May."}
    r = visitor.post(url, data)
    assert r.status_code == 302
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["coord-a@example.org"] and sent.reply_to == ["anna@example.com"]
    assert "Cooperation" in sent.subject and "B2B day in May" in sent.body
    # Honeypot: answered like a success, nothing sent.
    r = visitor.post(url, {**data, "homepage": "http://spam.example"})
    assert r.status_code == 302 and len(mail.outbox) == 1
    # Third message from this address within the hour: refused with a clear message.
    r = visitor.post(url, data, HTTP_ACCEPT_LANGUAGE="pl")
    assert r.status_code == 429 and len(mail.outbox) == 1
    assert "Spróbuj ponownie za godzinę" in r.content.decode()
    # Another address may still write; invalid input is 400 with nothing sent.
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post(url, {**data, "email": "not-an-address"}).status_code == 400
    assert other.post(url, data).status_code == 302 and len(mail.outbox) == 2


def test_contact_limit_per_cluster(world, settings):
    settings.KLASTER_CONTACT_PER_CLUSTER = 1
    cluster = world["published"]
    world["coord_a"].email = "coord-a@example.org"
    world["coord_a"].save()
    url = reverse("portal:cluster_contact", args=[cluster.pk])
    data = {"name": "A", "email": "a@example.com", "subject": "S", "message": "Hello there, B2B?"}
    assert Client(REMOTE_ADDR="203.0.113.1").post(url, data).status_code == 302
    assert Client(REMOTE_ADDR="203.0.113.2").post(url, data).status_code == 429
    assert len(mail.outbox) == 1


def test_contact_without_reachable_coordinator_and_hidden_cluster(client, world):
    cluster = world["c2"]  # no coordinator account
    url = reverse("portal:cluster_contact", args=[cluster.pk])
    assert 'id="no-contact"' in client.get(url).content.decode()
    data = {"name": "A", "email": "a@example.com", "subject": "S", "message": "Hello there!"}
    assert client.post(url, data).status_code == 400 and not mail.outbox
    hidden = reverse("portal:cluster_contact", args=[world["hidden"].pk])
    missing = reverse("portal:cluster_contact", args=[999999])
    for target in (hidden, missing):
        assert client.get(target).status_code == 404
        assert client.post(target, data).status_code == 404
    assert not mail.outbox


def test_profile_pdf(client, world):
    r = client.get(reverse("portal:cluster_pdf", args=[world["c1"].pk]),
                   HTTP_ACCEPT_LANGUAGE="ru")
    if r.status_code == 503:  # no Pango on this machine: the page says so, in Russian
        assert "WeasyPrint" in r.content.decode()
        return
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert "attachment" in r["Content-Disposition"]
    assert client.get(reverse("portal:cluster_pdf", args=[world["hidden"].pk])).status_code == 404
    assert client.get(reverse("portal:cluster_pdf", args=[999999])).status_code == 404


def test_organisation_page_memberships_projects_no_people(client, world):
    org = world["orgs"]["public"]
    Project.objects.create(cluster=world["c1"], title="Shared testbed").partners.add(org)
    hidden_project = Project.objects.create(cluster=world["hidden"], title="Secret project")
    hidden_project.partners.add(org)
    org.representatives.add(world["rep_a"])
    r = client.get(reverse("portal:organisation", args=[org.pk]))
    html = r.content.decode()
    assert "Amber ICT" in html and "Shared testbed" in html
    assert "Secret project" not in html and "Hidden cluster" not in html
    assert "rep_a" not in html  # representatives (people) are not shown
    assert [c.pk for c in r.context["coordinates"]] == [world["c1"].pk]


def test_contact_when_the_mail_server_refuses(world, settings, monkeypatch):
    world["coord_a"].email = "coord-a@example.org"
    world["coord_a"].save()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    url = reverse("portal:cluster_contact", args=[world["published"].pk])
    data = {"name": "Anna", "email": "anna@example.com", "subject": "Hello",
            "message": "Typed text that must not be lost."}
    r = Client(REMOTE_ADDR="192.0.2.5").post(url, data, HTTP_ACCEPT_LANGUAGE="ru")
    html = r.content.decode()
    assert r.status_code == 503 and "Typed text that must not be lost." in html
    assert "почтовый сервер" in html
