"""The inventory marks every field that looks personal, on every installed model (history
tables included), and the register of processing is printed from it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import models

from klaster.web.privacy import inventory


def test_every_personal_looking_field_is_marked():
    assert inventory.unmarked_fields() == []


def test_no_entry_names_a_missing_field():
    assert inventory.stale_entries() == []


def test_historical_models_are_walked_and_inherit_entries():
    from klaster.web.registry.models import JoinRequest

    historical = JoinRequest.history.model
    assert historical in inventory.all_models()
    assert isinstance(inventory.entry(historical, "message"), inventory.Personal)
    assert inventory.entry(historical, "message").retention == inventory.R_HISTORY
    assert inventory.entry(historical, "history_user").subject == "history_user"


def test_a_new_unmarked_personal_field_is_caught(monkeypatch):
    """A model gaining a phone number (or an e-mail field under any name) fails the walk."""
    from klaster.web.registry.models import Organisation

    phone = models.CharField(max_length=30)
    phone.name = phone.attname = "contact_phone"
    mail = models.EmailField()
    mail.name = mail.attname = "x"
    for field in (phone, mail):
        field.concrete = True
        field.model = Organisation
    original = inventory.fields_of

    def with_extra(model):
        return original(model) + ([phone, mail] if model is Organisation else [])

    monkeypatch.setattr(inventory, "fields_of", with_extra)
    assert inventory.unmarked_fields() == ["registry.Organisation.contact_phone",
                                           "registry.Organisation.x"]


@pytest.mark.django_db
def test_register_of_processing_lists_every_personal_column():
    out = io.StringIO()
    call_command("personal_data_report", stdout=out)
    text = out.getvalue()
    assert "Register of processing of personal data" in text
    for model, name, _item in inventory.personal_fields():
        assert f"{model._meta.db_table}.{name}" in text, (model, name)
    pl = io.StringIO()
    call_command("personal_data_report", "--language", "pl", stdout=pl)
    assert "Rejestr czynności przetwarzania danych osobowych" in pl.getvalue()
