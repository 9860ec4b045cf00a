"""Rubric editions: stored with fingerprint and content; frozen once a call uses them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from klaster.web.assessment.models import RubricEdition

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_fingerprint_is_the_rubric_content_hash(edition, rubric_text):
    from klaster.assessment import parse_rubric

    assert edition.fingerprint == parse_rubric(rubric_text).fingerprint
    assert len(edition.fingerprint) == 64
    assert edition.scheme == "Web test scheme" and edition.edition == "2025"


def test_edition_unused_can_be_edited_used_cannot(edition, world, rubric_text):
    # world's call uses the edition.
    edition.content = rubric_text.replace("min_percent: 80", "min_percent: 75")
    with pytest.raises(ValidationError, match="used by a call"):
        edition.save()
    edition.refresh_from_db()
    assert "min_percent: 80" in edition.content
    # Through the page: 400 with the reason, nothing stored.
    r = login(world["admin"]).post(reverse("assessment:rubric_edit", args=[edition.pk]), {
        "key": "web-test", "title": "Web test label",
        "content": rubric_text.replace("min_percent: 80", "min_percent: 75")})
    assert r.status_code == 400
    assert "cannot be edited" in r.content.decode()
    edition.refresh_from_db()
    assert "min_percent: 80" in edition.content


def test_unused_edition_edits_and_used_one_is_superseded(registry, edition, rubric_text):
    admin = login(registry["admin"])
    new_text = rubric_text.replace("min_percent: 80", "min_percent: 75")
    r = admin.post(reverse("assessment:rubric_edit", args=[edition.pk]),
                   {"key": "web-test", "title": "Web test label", "content": new_text})
    assert r.status_code == 302  # not used by any call yet
    edition.refresh_from_db()
    assert "min_percent: 75" in edition.content

    from django.utils import timezone

    from klaster.web.assessment.models import Call
    Call.objects.create(rubric=edition, title="c", deadline=timezone.now(), year=2025)
    r = admin.post(reverse("assessment:rubric_supersede", args=[edition.pk]),
                   {"key": "web-test", "title": "Web test label 2",
                    "content": new_text.replace("min_percent: 75", "min_percent: 70")})
    assert r.status_code == 302
    edition.refresh_from_db()
    new = edition.superseded_by
    assert new is not None and "min_percent: 70" in new.content
    assert "min_percent: 75" in edition.content  # the old one stays, frozen
    # A superseded edition is not offered for new calls.
    page = admin.get(reverse("assessment:call_new"))
    assert list(page.context["form"].fields["rubric"].queryset) == [new]


def test_malformed_rubric_rejected_with_the_path(registry):
    admin = login(registry["admin"])
    r = admin.post(reverse("assessment:rubric_new"), {
        "key": "bad", "title": "Bad", "content": "key: bad\nscheme: x\n"})
    assert r.status_code == 400
    assert RubricEdition.objects.count() == 0
    assert "errors" in r.content.decode() or "error" in r.content.decode()


def test_rubric_pages_are_for_administrators_only(world, edition):
    for user in ("coord_a", "ev1", "stranger"):
        c = login(world[user])
        assert c.get(reverse("assessment:rubrics")).status_code == 403
        assert c.post(reverse("assessment:rubric_edit", args=[edition.pk]),
                      {"content": "x"}).status_code == 403
    assert Client().get(reverse("assessment:rubrics")).status_code == 302  # to sign in


def test_builtin_rubric_imported_once(registry):
    from klaster.assessment import list_rubrics

    info = list_rubrics()[0]
    admin = login(registry["admin"])
    r = admin.post(reverse("assessment:rubric_import"), {"key": info.key})
    assert r.status_code == 302
    stored = RubricEdition.objects.get()
    assert stored.key == info.key and stored.content == info.path.read_text(encoding="utf-8")
    admin.post(reverse("assessment:rubric_import"), {"key": info.key})
    assert RubricEdition.objects.count() == 1


def test_admin_site_refuses_editing_a_used_edition(world, edition, rubric_text):
    world["admin"].is_staff = world["admin"].is_superuser = True
    world["admin"].save()
    r = login(world["admin"]).post(
        reverse("admin:assessment_rubricedition_change", args=[edition.pk]),
        {"key": "web-test", "title": "Web test label",
         "content": rubric_text.replace("min_percent: 80", "min_percent: 75")})
    assert r.status_code == 200 and "cannot be edited" in r.content.decode()
    edition.refresh_from_db()
    assert "min_percent: 80" in edition.content
