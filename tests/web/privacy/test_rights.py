"""Access and portability (the export holds every marked field of the person, history
included), rectification, objection to e-mails, withdrawal, erasure request; the notice
gate and consent recording; the access log."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core import mail
from django.core.management import call_command

from klaster.web.privacy import inventory, services
from klaster.web.privacy.models import AccessLogEntry, ConsentRecord, ErasureRequest

from .conftest import EMAIL, NAME, PASSWORD, PHONE, USERNAME

pytestmark = pytest.mark.django_db


def test_access_export_holds_every_marked_field(person, client):
    r = client.get("/privacy/my-data/download.json")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    data = json.loads(r.content)
    assert data["person"] == {"id": person.pk, "username": USERNAME, "first_name": NAME[0],
                              "last_name": NAME[1], "email": EMAIL}
    records = data["records"]
    missing, absent = [], []
    for model, name, item in inventory.personal_fields():
        if item.subject is None or not item.export:
            continue
        lookup, value = item.subject, USERNAME if item.subject == "username" else person.pk
        if item.subject.endswith("email"):  # a contact person, found by e-mail address
            lookup, value = f"{item.subject}__iexact", person.email
        if not model._base_manager.filter(**{lookup: value}).exists():
            absent.append(f"{model._meta.label}.{name}")
            continue
        field = model._meta.get_field(name)
        if field.many_to_many:
            # A many-to-many link: the linked rows are exported (the organisation the
            # person represents) and the link table's own rows too.
            ok = model._meta.label in records
        else:
            rows = records.get(model._meta.label, [])
            ok = any(field.attname in row for row in rows)
        if not ok:
            missing.append(f"{model._meta.label}.{name}")
    assert missing == []
    # The fixture's person reaches every marked field but failed sign-in attempts, which
    # django-axes deletes on the successful sign-in (AXES_RESET_ON_SUCCESS), and carrying
    # out an erasure request (nobody has yet).
    assert {a for a in absent if not a.startswith(("axes.AccessAttempt.",
                                                   "axes.AccessFailureLog."))} == {
        "privacy.ErasureRequest.done_by"}, absent
    # The history tables' view of the person: rows they wrote, and earlier values.
    history = records["registry.HistoricalJoinRequest"]
    assert any(PHONE in (row["message"] or "") for row in history)
    assert any(row["history_user_id"] == person.pk for row in history)
    # Secrets stay out of the export.
    assert "password" not in records["auth.User"][0]
    assert "key" not in records["authtoken.Token"][0]


def test_csv_export_is_one_long_table(person, client):
    r = client.get("/privacy/my-data/download.csv")
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0] == ["table", "row", "column", "value"]
    assert ["auth.User", str(person.pk), "email", EMAIL] in rows
    assert any(row[0] == "assessment.SurveyResponse" and row[2] == "comment" for row in rows)


def test_rectification_through_my_data(person, client):
    r = client.post("/privacy/my-data/", {"first_name": "Zosia", "last_name": NAME[1],
                                          "email": "z.e@example.org"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.email) == ("Zosia", "z.e@example.org")


def test_objection_stops_the_mails(person, client, settings):
    """Reminders, survey invitations and matchmaking notices all go through one gate."""
    from klaster.web.assessment.models import Application, EvaluatorAssignment

    a = EvaluatorAssignment.objects.filter(evaluator=person).first()
    EvaluatorAssignment.objects.filter(pk=a.pk).update(submitted=None)
    Application.objects.filter(pk=a.application_id).update(status="submitted")
    call_command("assessment_reminders", stdout=io.StringIO())
    assert any(EMAIL in m.to for m in mail.outbox)
    mail.outbox.clear()

    r = client.post("/privacy/my-data/emails/", {"no_emails": "1"})
    assert r.status_code == 302 and services.objects_to_emails(person)
    call_command("assessment_reminders", stdout=io.StringIO())
    assert not any(EMAIL in m.to for m in mail.outbox)

    from klaster.web.privacy.mail import send_mass_mail

    sent = send_mass_mail([("s", "b", None, [EMAIL.upper()]),
                           ("s", "b", None, [EMAIL, "other@example.org"])])
    assert sent == 1 and mail.outbox[-1].to == ["other@example.org"]
    client.post("/privacy/my-data/emails/", {"no_emails": "0"})
    assert not services.objects_to_emails(person)


def test_withdrawal_and_erasure_request(person, client):
    assert services.has_current_consent(person)
    client.post("/privacy/my-data/withdraw/")
    assert not ConsentRecord.objects.filter(user=person, withdrawn__isnull=True).exists()
    ErasureRequest.objects.all().delete()
    r = client.post("/privacy/my-data/erase/", {"confirm": "on", "message": f"tel {PHONE}"})
    assert r.status_code == 302
    req = ErasureRequest.objects.get(user=person, status="pending")
    assert services.terms_from_message(req.message) == [PHONE]


def test_admin_carries_out_erasure_and_views_are_logged(person, client, make_user):
    from django.contrib.auth.models import Group

    admin = make_user("operator", is_staff=True, is_superuser=True)
    admin.groups.add(Group.objects.get(name="Programme administrators"))
    client.force_login(admin)
    services.record_consent(admin, "notice")
    assert client.get(f"/admin/auth/user/{person.pk}/change/").status_code == 200
    entry = AccessLogEntry.objects.filter(actor=admin).first()
    assert entry.subject == person and entry.action == "view"
    req = ErasureRequest.objects.get(user=person)
    r = client.post("/admin/privacy/erasurerequest/", {
        "action": "carry_out", "_selected_action": [req.pk]})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "done" and req.done_by == admin
    assert AccessLogEntry.objects.filter(actor=admin, subject=person, action="erase").exists()
    out = io.StringIO()
    call_command("privacy_access_log", stdout=out)
    assert "operator" in out.getvalue() and "erased" in out.getvalue()


def test_export_command_is_private_and_logged(person, tmp_path):
    target = tmp_path / "p.json"
    call_command("export_person_data", USERNAME, str(target), stdout=io.StringIO())
    assert json.loads(target.read_text())["person"]["email"] == EMAIL
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    e = AccessLogEntry.objects.filter(action="export").get()
    assert e.subject == person and e.actor is None and e.actor_label.startswith("command line")


# --- notice and consent --------------------------------------------------------------------

def _consent_settings(settings, version="v1"):
    settings.KLASTER_PRIVACY = {**settings.KLASTER_PRIVACY, "LEGAL_BASIS": "consent",
                                "NOTICE_VERSION": version, "CONTROLLER": "Podlaskie Agency",
                                "CONTACT": "privacy@example.org"}


def test_notice_page_shows_the_deployment(client, settings):
    _consent_settings(settings)
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Podlaskie Agency" in page and "privacy@example.org" in page and "v1" in page
    assert "RODO art. 6 ust. 1 lit. a" in page  # the consent basis, in Polish
    assert "Art. 6(1)(a)" in client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_changed_notice_asks_again(client, settings, make_user):
    _consent_settings(settings, "v1")
    user = make_user("ola")
    client.force_login(user)
    r = client.get("/workspace/")
    assert r.status_code == 302 and r["Location"].startswith("/privacy/accept/")
    r = client.post("/privacy/accept/", {"agree": "on", "next": "/workspace/"})
    assert r.status_code == 302 and r["Location"] == "/workspace/"
    assert client.get("/workspace/").status_code == 200
    rec = ConsentRecord.objects.get(user=user)
    assert (rec.notice_version, rec.basis, rec.context) == ("v1", "consent", "notice")
    _consent_settings(settings, "v2")
    assert client.get("/workspace/")["Location"].startswith("/privacy/accept/")
    # Banner mode (another legal basis): pages open, with a banner until answered.
    settings.KLASTER_PRIVACY = {**settings.KLASTER_PRIVACY, "LEGAL_BASIS": "public_task"}
    page = client.get("/workspace/")
    assert page.status_code == 200 and 'id="privacy-banner"' in page.content.decode()


def test_forms_ask_for_consent_and_record_it(client, settings, registry):
    """Under consent with the banner gate, a partner request needs the tick box; the
    record carries the notice version and the context."""
    _consent_settings(settings, "v7")
    settings.KLASTER_PRIVACY = {**settings.KLASTER_PRIVACY, "GATE": "banner"}
    client.force_login(registry["rep_a"])
    url = f"/matchmaking/requests/new/{registry['org_a'].pk}/"
    data = {"kind": "seek", "topic": "Dairy processing partner", "description": "",
            "sectors": "", "countries": "", "status": "open"}
    r = client.post(url, data)
    assert r.status_code == 400 and "privacy_consent" in r.content.decode()
    r = client.post(url, {**data, "privacy_consent": "on"})
    assert r.status_code == 302
    rec = ConsentRecord.objects.get(user=registry["rep_a"])
    assert (rec.context, rec.notice_version) == ("partner_request", "v7")


def test_forms_record_the_basis_without_a_tick_box(client, registry):
    """Under another legal basis the form needs no tick box; the information is recorded."""
    client.force_login(registry["rep_a"])
    r = client.post(f"/matchmaking/requests/new/{registry['org_a'].pk}/", {
        "kind": "seek", "topic": "Packaging", "description": "", "sectors": "",
        "countries": "", "status": "open"})
    assert r.status_code == 302
    assert ConsentRecord.objects.get(user=registry["rep_a"]).basis == "public_task"


def test_person_sign_in_password_still_works(person):
    assert person.check_password(PASSWORD)
