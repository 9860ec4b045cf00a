"""Workspace pages for organisations' yearly figures (employees, turnover, exports, R&D
staff): who may add and edit them, inline validation, history, the public page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klaster.web.registry import forms as registry_forms
from klaster.web.registry.models import Organisation, OrganisationFigures

pytestmark = pytest.mark.django_db

THIS_YEAR = date.today().year


def _row(year, **values):
    data = {"year": year, "employees": "", "turnover": "", "exports": "", "rd_staff": ""}
    data.update({k: str(v) for k, v in values.items()})
    return data


def test_representative_adds_and_edits_own_figures(client, registry):
    org = registry["org_a"]
    client.force_login(registry["rep_a"])
    assert client.get(f"/workspace/organisations/{org.pk}/figures/new/").status_code == 200
    r = client.post(f"/workspace/organisations/{org.pk}/figures/new/",
                    _row(2023, employees=42, turnover="1250000.50", exports=300000,
                         rd_staff=3))
    assert r.status_code == 302 and r["Location"] == f"/workspace/organisations/{org.pk}/"
    row = OrganisationFigures.objects.get(organisation=org)
    assert (row.year, row.employees, row.turnover, row.exports, row.rd_staff) == (
        2023, 42, Decimal("1250000.50"), Decimal("300000"), 3)

    page = client.get(f"/workspace/organisations/{org.pk}/").content.decode()
    assert f"/workspace/figures/{row.pk}/" in page and "300,000" in page

    r = client.post(f"/workspace/figures/{row.pk}/",
                    _row(2023, employees=45, rd_staff=4, version=row.version))
    assert r.status_code == 302
    row.refresh_from_db()
    assert (row.employees, row.turnover, row.rd_staff) == (45, None, 4)

    # Both saves are in the history, with who and before → after, on the history page.
    assert [h.history_type for h in row.history.all()] == ["~", "+"]
    assert row.history.first().history_user == registry["rep_a"]
    history = client.get(f"/workspace/organisations/{org.pk}/history/").content.decode()
    assert 'id="figures-history"' in history
    # Fields by their names for people (verbose names), not their keys.
    assert "<strong>Employees</strong>: 42 → 45" in history
    assert "<strong>Turnover (EUR)</strong>: 1250000.50 → –" in history


def test_concurrent_edit_is_a_conflict_not_an_overwrite(client, registry):
    org = registry["org_a"]
    row = OrganisationFigures.objects.create(organisation=org, year=2022, employees=10)
    client.force_login(registry["rep_a"])
    opened = row.version  # both editors opened version 1
    first = client.post(f"/workspace/figures/{row.pk}/", _row(2022, employees=11,
                                                              version=opened))
    assert first.status_code == 302
    second = client.post(f"/workspace/figures/{row.pk}/", _row(2022, employees=99,
                                                               version=opened))
    assert second.status_code == 409
    assert "Someone else changed this record" in second.content.decode()
    row.refresh_from_db()
    assert (row.employees, row.version) == (11, 2)  # the second edit wrote nothing
    # no version at all (a hand-made request) is refused the same way
    assert client.post(f"/workspace/figures/{row.pk}/",
                       _row(2022, employees=5)).status_code == 409


def test_administrator_may_edit_any_organisations_figures(client, registry):
    org = registry["org_b"]  # not approved, member of an unpublished cluster
    client.force_login(registry["admin"])
    r = client.post(f"/workspace/organisations/{org.pk}/figures/new/", _row(2022, employees=7))
    assert r.status_code == 302
    assert OrganisationFigures.objects.get(organisation=org).employees == 7


def test_other_organisations_figures_are_refused(client, registry):
    public_org = registry["org_a"]  # visible to everybody: 403
    hidden_org = registry["org_b"]  # visible to nobody but its cluster's coordinator: 404
    public_row = OrganisationFigures.objects.create(organisation=public_org, year=2023,
                                                    employees=10)
    hidden_row = OrganisationFigures.objects.create(organisation=hidden_org, year=2023,
                                                    employees=20)
    client.force_login(registry["stranger"])
    assert client.get(f"/workspace/organisations/{public_org.pk}/figures/new/").status_code == 403
    assert client.post(f"/workspace/organisations/{public_org.pk}/figures/new/",
                       _row(2020, employees=1)).status_code == 403
    assert client.post(f"/workspace/figures/{public_row.pk}/",
                       _row(2023, employees=0)).status_code == 403
    assert client.get(f"/workspace/organisations/{hidden_org.pk}/figures/new/").status_code == 404
    assert client.post(f"/workspace/figures/{hidden_row.pk}/",
                       _row(2023, employees=0)).status_code == 404
    assert client.get("/workspace/figures/999999/").status_code == 404
    # A representative of org_a is a stranger to org_b's figures, and a coordinator who
    # sees org_b as a member of their cluster still may not edit them.
    client.force_login(registry["rep_a"])
    assert client.post(f"/workspace/figures/{hidden_row.pk}/",
                       _row(2023, employees=0)).status_code == 404
    client.force_login(registry["coord_b"])
    assert client.post(f"/workspace/figures/{hidden_row.pk}/",
                       _row(2023, employees=0)).status_code == 403
    assert sorted(OrganisationFigures.objects.values_list("employees", flat=True)) == [10, 20]
    assert OrganisationFigures.objects.count() == 2


def test_anonymous_is_sent_to_sign_in(client, registry):
    org = registry["org_a"]
    row = OrganisationFigures.objects.create(organisation=org, year=2023, employees=10)
    for url in (f"/workspace/organisations/{org.pk}/figures/new/", f"/workspace/figures/{row.pk}/"):
        r = client.post(url, _row(2024, employees=1))
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert OrganisationFigures.objects.get().employees == 10


def test_duplicate_year_is_an_inline_error(client, registry):
    org = registry["org_a"]
    OrganisationFigures.objects.create(organisation=org, year=2023, employees=10)
    other = OrganisationFigures.objects.create(organisation=org, year=2022, employees=9)
    client.force_login(registry["rep_a"])
    r = client.post(f"/workspace/organisations/{org.pk}/figures/new/", _row(2023, employees=11))
    assert r.status_code == 400
    assert 'id="id_year-error">Figures for this year already exist' in r.content.decode()
    # Moving another row onto an existing year is refused the same way.
    r = client.post(f"/workspace/figures/{other.pk}/", _row(2023, employees=9))
    assert r.status_code == 400 and "Figures for this year already exist" in r.content.decode()
    # The same year of another organisation is fine (the rule is per organisation).
    OrganisationFigures.objects.create(organisation=registry["org_b"], year=2021)
    assert client.post(f"/workspace/organisations/{org.pk}/figures/new/",
                       _row(2021)).status_code == 302
    assert sorted(org.figures.values_list("year", flat=True)) == [2021, 2022, 2023]


def test_database_refusal_of_a_duplicate_year_becomes_the_form_error(client, registry,
                                                                    monkeypatch):
    # Two saves at once both pass the form's check; the database constraint
    # figures_one_per_year refuses the second. Simulated by switching the form's own check
    # off: the answer must be the inline error, not a 500.
    org = registry["org_a"]
    OrganisationFigures.objects.create(organisation=org, year=2023, employees=10)
    monkeypatch.setattr(registry_forms.FiguresForm, "clean_year",
                        lambda self: self.cleaned_data["year"])
    client.force_login(registry["rep_a"])
    r = client.post(f"/workspace/organisations/{org.pk}/figures/new/", _row(2023, employees=11))
    assert r.status_code == 400
    assert 'id="id_year-error">Figures for this year already exist' in r.content.decode()
    assert list(org.figures.values_list("employees", flat=True)) == [10]


@pytest.mark.parametrize("field", ["employees", "turnover", "exports", "rd_staff"])
def test_negative_values_are_rejected(client, registry, field):
    org = registry["org_a"]
    client.force_login(registry["rep_a"])
    r = client.post(f"/workspace/organisations/{org.pk}/figures/new/", _row(2023, **{field: -1}))
    assert r.status_code == 400
    assert f'id="id_{field}-error">Ensure this value is greater than or equal to 0.' in (
        r.content.decode())
    assert not OrganisationFigures.objects.exists()


@pytest.mark.parametrize("year", [1899, THIS_YEAR + 1, 2100])
def test_year_out_of_range_is_rejected(client, registry, year):
    org = registry["org_a"]
    client.force_login(registry["rep_a"])
    r = client.post(f"/workspace/organisations/{org.pk}/figures/new/", _row(year, employees=1))
    assert r.status_code == 400
    assert f"The year must be between 1900 and {THIS_YEAR}." in r.content.decode()
    assert not OrganisationFigures.objects.exists()


def test_inline_errors_are_translated(client, registry):
    org = registry["org_a"]
    OrganisationFigures.objects.create(organisation=org, year=2023)
    client.force_login(registry["rep_a"])
    r = client.post(f"/workspace/organisations/{org.pk}/figures/new/", _row(2023),
                    HTTP_ACCEPT_LANGUAGE="pl")
    assert "Dane za ten rok już istnieją" in r.content.decode()


def test_public_page_shows_latest_year_of_public_organisations_only(client, registry):
    org_a, org_b = registry["org_a"], registry["org_b"]
    OrganisationFigures.objects.create(organisation=org_a, year=2022, employees=1111)
    OrganisationFigures.objects.create(organisation=org_a, year=2024, employees=2222)
    OrganisationFigures.objects.create(organisation=org_b, year=2024, employees=3333)
    page = client.get(f"/organisations/{org_a.pk}/").content.decode()
    assert "Figures for 2024" in page and "2222" in page and "1111" not in page
    # org_b is not public (unapproved, member of an unpublished cluster). Its cluster's
    # coordinator may open its page, but its figures are not shown there…
    client.force_login(registry["coord_b"])
    page = client.get(f"/organisations/{org_b.pk}/")
    assert page.status_code == 200 and "3333" not in page.content.decode()
    # …while its editors (here the administrator) see them; approval makes them public.
    client.force_login(registry["admin"])
    assert "3333" in client.get(f"/organisations/{org_b.pk}/").content.decode()
    Organisation.objects.filter(pk=org_b.pk).update(approved=True)
    client.logout()
    assert "3333" in client.get(f"/organisations/{org_b.pk}/").content.decode()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_of_the_workspace_page_is_constant_in_the_number_of_years(client,
                                                                            registry):
    org = registry["org_a"]
    client.force_login(registry["rep_a"])
    urls = (f"/workspace/organisations/{org.pk}/", f"/organisations/{org.pk}/")

    def fill(first, last):
        OrganisationFigures.objects.bulk_create(
            OrganisationFigures(organisation=org, year=y, employees=y - 1900)
            for y in range(first, last))

    fill(2020, 2025)  # 5 years
    small = [_count_queries(client, url) for url in urls]
    fill(1960, 2005)  # 50 years
    assert org.figures.count() == 50
    large = [_count_queries(client, url) for url in urls]
    assert small == large
    page = client.get(urls[0]).content.decode()
    assert page.count("/workspace/figures/") == 50
