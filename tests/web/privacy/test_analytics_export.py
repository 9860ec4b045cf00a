"""The analytics exports carry no personal data unless asked for, and say so."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from klaster.networks.io import read_registry
from klaster.web.privacy.models import AccessLogEntry
from klaster.web.privacy.pseudonymise import MARK, scrub_text

TEXT = "Need a dairy partner. Call Jan at +48 600-123-457 or jan.k@example.org (since 2019)."


@pytest.mark.django_db
def test_export_registry_is_pseudonymous_by_default(registry, tmp_path):
    from klaster.web.registry.models import PartnerRequest

    PartnerRequest.objects.create(organisation=registry["org_a"], kind="seek",
                                  topic="Dairy", description=TEXT)
    out = io.StringIO()
    call_command("export_registry", str(tmp_path / "p"), "--format", "csv", stdout=out)
    assert "personal data: none" in out.getvalue()
    description = read_registry(tmp_path / "p").partner_requests.get_column(
        "description").to_list()[0]
    assert description == f"Need a dairy partner. Call Jan at {MARK} or {MARK} (since 2019)."
    # No table has a column for people.
    for path in (tmp_path / "p").glob("*.csv"):
        header = path.read_text().splitlines()[0]
        assert not any(w in header for w in ("email", "user", "username", "phone")), path

    out = io.StringIO()
    call_command("export_registry", str(tmp_path / "q"), "--format", "csv",
                 "--include-personal", stdout=out)
    assert "--include-personal" in out.getvalue()
    assert read_registry(tmp_path / "q").partner_requests.get_column(
        "description").to_list()[0] == TEXT
    assert AccessLogEntry.objects.filter(action="report").count() == 1


@given(st.from_regex(r"\+?[1-9][0-9]{1,2}[ -]?[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{3}",
                     fullmatch=True),
       st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}@[a-z]{2,8}\.(org|pl|by)", fullmatch=True))
def test_scrub_removes_any_phone_and_address(phone, email):
    text = f"call {phone}, write to {email}; founded 2019, 45 members"
    assert scrub_text(text) == f"call {MARK}, write to {MARK}; founded 2019, 45 members"
