"""Content fields per language with a fallback beyond the cluster (issue 13): an
organisation's region; the titles and texts of activities, projects and partner requests;
the demo's texts in Polish, Belarusian and Russian."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import translation

from klaster.web.matchmaking.management.commands.load_matchmaking_demo import DEMO_TRANSLATIONS
from klaster.web.registry.management.commands.load_demo import TRANSLATIONS
from klaster.web.registry.models import (
    Activity,
    Cluster,
    Localized,
    Organisation,
    PartnerRequest,
    Project,
    with_translations,
)

from .conftest import api_client


def test_display_fields_fall_back_to_the_plain_text():
    org = Organisation(name_en="X", region="Hrodna region", region_be="Гродзенская вобласць")
    project = Project(title="Energy audits", title_ru="Энергоаудиты",
                      funding_source="Member fees", funding_source_pl="Składki członkowskie")
    request = PartnerRequest(topic="Szkolenia BIM", topic_be="Навучанне BIM",
                             sectors="budownictwo")
    with translation.override("be"):
        assert org.display_region == "Гродзенская вобласць"
        assert project.display_title == "Energy audits"  # no Belarusian copy
        assert request.display_topic == "Навучанне BIM"
    with translation.override("pl"):
        assert org.display_region == "Hrodna region"
        assert project.display_funding_source == "Składki członkowskie"
        assert request.display_topic == "Szkolenia BIM"  # written in Polish: the plain text
        assert request.display_sectors == "budownictwo"
    with translation.override("ru"):
        assert project.display_title == "Энергоаудиты"
    with translation.override("en"):
        assert project.display_title == "Energy audits" and org.display_region == "Hrodna region"
    with pytest.raises(AttributeError):
        project.display_budget  # noqa: B018 — not a translated field
    for model in (Organisation, Cluster, Activity, Project, PartnerRequest):
        assert issubclass(model, Localized)
        for field in model.TRANSLATED:
            for lang in ("pl", "be", "ru"):
                copy = model._meta.get_field(f"{field}_{lang}")
                assert copy.blank and type(copy) is type(model._meta.get_field(field))


def test_with_translations_lists_the_copies_after_each_field():
    assert with_translations(Project, ["id", "title", "budget"]) == [
        "id", "title", "title_pl", "title_be", "title_ru", "budget"]


def test_forms_and_api_carry_the_copies():
    from klaster.web.matchmaking.forms import PartnerRequestForm
    from klaster.web.registry.forms import ActivityForm, OrganisationForm, ProjectForm

    for form, model in ((ActivityForm, Activity), (ProjectForm, Project),
                        (PartnerRequestForm, PartnerRequest), (OrganisationForm, Organisation)):
        for field in model.TRANSLATED:
            assert {f"{field}_{lang}" for lang in ("pl", "be", "ru")} <= set(form.base_fields)


def test_organisation_region_and_project_in_the_readers_language(client, registry):
    org, cluster = registry["org_a"], registry["published"]
    org.region, org.region_pl, org.region_ru = "Podlaskie", "", "Подляское воеводство"
    org.city = "Białystok"
    org.save()
    Project.objects.create(cluster=cluster, title="Energy audits", title_pl="Audyty energetyczne",
                           funding_source="Member fees", funding_source_ru="Членские взносы",
                           start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    cluster.projects.first().partners.add(org)
    url = f"/organisations/{org.pk}/"
    ru = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Подляское воеводство" in ru and "Членские взносы" in ru
    pl = client.get(url, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Białystok, Podlaskie" in pl and "Audyty energetyczne" in pl
    profile = client.get(f"/clusters/{cluster.pk}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Audyty energetyczne" in profile and "Energy audits" not in profile
    # The API stays language-neutral: every copy, by name.
    body = api_client(registry["rep_a"]).get(f"/api/organisations/{org.pk}/").json()
    assert (body["region"], body["region_ru"]) == ("Podlaskie", "Подляское воеводство")


@pytest.mark.django_db
def test_partner_request_on_the_board_in_the_readers_language(client, registry):
    org = registry["org_a"]
    org.region, org.region_pl = "Hrodna region", "Obwód grodzieński"
    org.save()
    req = PartnerRequest.objects.create(
        organisation=org, kind="offer", topic="Laser cutting capacity",
        topic_pl="Wolne moce cięcia laserowego", description="Free capacity.",
        description_pl="Wolne moce.", sectors="metal processing",
        sectors_pl="obróbka metali")
    board = client.get("/matchmaking/board/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Wolne moce cięcia laserowego" in board and "Laser cutting capacity" not in board
    assert "obróbka metali" in board
    # The region filter offers the Polish name; its value is the stored region.
    assert '<option value="Hrodna region">Obwód grodzieński</option>' in board
    detail = client.get(f"/matchmaking/board/requests/{req.pk}/",
                        HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Wolne moce." in detail and "Obwód grodzieński" in detail
    # A Polish word finds the request from the sector/keyword filter.
    found = client.get("/matchmaking/board/", {"sector": "cięcia"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Laser cutting capacity" in found.content.decode()


@pytest.mark.django_db
def test_demo_texts_exist_in_every_language():
    call_command("load_demo", verbosity=0)
    call_command("load_matchmaking_demo", verbosity=0)
    requests, projects = PartnerRequest.objects.all(), Project.objects.filter(demo=True)
    activities = Activity.objects.filter(demo=True)
    assert (requests.count(), projects.count(), activities.count()) == (9, 9, 9)
    tables = {**TRANSLATIONS, **DEMO_TRANSLATIONS}
    for i, lang in enumerate(("pl", "be", "ru")):
        with translation.override(lang):
            for record in [*requests, *projects, *activities]:
                for field in type(record).TRANSLATED:
                    plain = getattr(record, field)
                    if plain == "Interreg":  # a programme's name, the same in every language
                        continue
                    texts = tables[plain]  # every demo text has its translations
                    shown = getattr(record, f"display_{field}")
                    # The reader's copy, or the plain text when written in their language
                    # (a Polish request shows its own text on a Polish page).
                    assert shown == (texts[i] or plain) and shown, (lang, record, field)
                    if all(texts):  # written in English: never shown on this page
                        assert shown != plain, (lang, plain)
            for org in Organisation.objects.filter(demo=True):
                assert org.display_region == tables[org.region][i], (lang, org)
    from klaster.web.matchmaking.models import Event

    event = Event.objects.get()  # the demo's B2B day: title and place in every language
    for i, lang in enumerate(("pl", "be", "ru")):
        with translation.override(lang):
            assert event.display_title == tables[event.title][i] != event.title
            assert event.display_place == tables[event.place][i] != event.place
    kom = Cluster.objects.get(name_en="Metal Processing Cluster")
    assert kom.contact_published and kom.contact_email.endswith("@example.org")
    assert kom.contact_consent_recorded_by.username == "demo-coordinator"
    assert Cluster.objects.filter(demo=True, contact_name="").exists()  # not every cluster
    # Idempotent: a second run changes nothing.
    before = {p.pk: (p.title_pl, p.funding_source_ru) for p in projects}
    call_command("load_matchmaking_demo", verbosity=0)
    assert {p.pk: (p.title_pl, p.funding_source_ru) for p in Project.objects.filter(
        demo=True)} == before
