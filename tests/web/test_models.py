"""The data model: constraints enforced by the database itself, validators, history."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from klaster.web.registry.models import Cluster, Membership, Organisation
from klaster.web.registry.validators import normalise_codes, validate_identifier

pytestmark = pytest.mark.django_db


def _org(**kw):
    base = dict(name_en="X", id_scheme="OTHER", id_value="x-1", helix="business")
    return Organisation(**{**base, **kw})


@pytest.mark.parametrize("kw", [
    dict(id_scheme="NIP", id_value="526025027"),        # 9 digits: NIP needs 10
    dict(id_scheme="UNP", id_value="1234567890"),       # 10 digits: UNP needs 9
    dict(id_scheme="KRS", id_value="00001234AB"),
    dict(id_scheme="REGON", id_value="1234567890"),     # neither 9 nor 14
    dict(id_scheme="XYZ", id_value="1"),
    dict(latitude=91.0, longitude=20.0),
    dict(latitude=50.0, longitude=-181.0),
    dict(latitude=50.0, longitude=None),                # half a coordinate pair
    dict(helix="alien"),
    dict(size_class="huge"),
    dict(name_en=""),
])
def test_database_rejects_invalid_organisation(kw):
    # .save() bypasses Python validation: only the database constraint can stop these.
    with pytest.raises(IntegrityError), transaction.atomic():
        _org(**kw).save()


def test_identifier_unique_per_scheme():
    _org(id_scheme="KRS", id_value="0000012345").save()
    _org(id_scheme="OTHER", id_value="0000012345").save()  # same value, other scheme: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        _org(id_scheme="KRS", id_value="0000012345", name_en="Y").save()


@pytest.mark.parametrize("scheme,value,ok", [
    # NIP 526-025-02-74: 5*6+2*5+6*7+0*2+2*3+5*4+0*5+2*6+7*7 = 169; 169 mod 11 = 4 (hand sum)
    ("NIP", "5260250274", True),
    ("NIP", "5260250275", False),
    # REGON 123456785: 1*8+2*9+3*2+4*3+5*4+6*5+7*6+8*7 = 192; 192 mod 11 = 5
    ("REGON", "123456785", True),
    ("REGON", "123456786", False),
    # 14-digit REGON 1234567851234?: weights 2,4,8,5,0,9,7,3,6,1,2,4,8 ->
    # 2+8+24+20+0+54+49+24+30+1+4+12+32 = 260; 260 mod 11 = 7 -> check digit 7
    ("REGON", "12345678512347", True),
    ("REGON", "12345678512348", False),
    ("UNP", "190123456", True),
    ("UNP", "19012345", False),
    ("KRS", "0000123456", True),
])
def test_identifier_checksums(scheme, value, ok):
    if ok:
        validate_identifier(scheme, value)
    else:
        with pytest.raises(ValidationError):
            validate_identifier(scheme, value)


def test_full_clean_canonicalises_identifier_and_codes():
    org = _org(id_scheme="NIP", id_value="PL 526-025-02-74", code_system="pkd2007",
               industry_codes=["25.62.Z", "C25", "25.62.Z"])
    org.full_clean(exclude=["version"])
    assert org.id_value == "5260250274"
    assert org.industry_codes == ["2562", "25"]


def test_bad_industry_code_is_named():
    org = _org(code_system="nace2", industry_codes=["ZZ99"])
    with pytest.raises(ValidationError) as exc:
        org.full_clean(exclude=["version"])
    assert "ZZ99" in str(exc.value.message_dict["industry_codes"])


def test_normalise_codes_accepts_text():
    assert normalise_codes("31-33; 336411", "naics2017") == ["31-33", "336411"]


def test_membership_history_is_kept():
    org = _org()
    org.save()
    cluster = Cluster.objects.create(name_en="C")
    m = Membership.objects.create(organisation=org, cluster=cluster, joined=date(2020, 1, 1))
    # A second open membership of the same organisation is refused by the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(organisation=org, cluster=cluster)
    m.end(date(2022, 6, 30))
    with pytest.raises(ValidationError):
        m.delete()
    assert Membership.objects.get(pk=m.pk).left == date(2022, 6, 30)
    # Re-joining after leaving is a new row; the old one stays.
    Membership.objects.create(organisation=org, cluster=cluster, joined=date(2023, 1, 1))
    assert Membership.objects.filter(organisation=org, cluster=cluster).count() == 2
    assert [h.history_type for h in m.history.all()] == ["~", "+"]


def test_membership_cannot_end_before_it_began():
    org = _org()
    org.save()
    cluster = Cluster.objects.create(name_en="C")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(organisation=org, cluster=cluster, joined=date(2020, 1, 1),
                                  left=date(2019, 1, 1))


def test_cluster_constraints():
    with pytest.raises(IntegrityError), transaction.atomic():
        Cluster.objects.create(name_en="C", status="imaginary")
    with pytest.raises(IntegrityError), transaction.atomic():
        Cluster.objects.create(name_en="C", founded=date(2020, 1, 1),
                               strategy_review=date(2019, 1, 1))
