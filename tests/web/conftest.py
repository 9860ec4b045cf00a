"""Django set-up for the web tests.

The settings module is chosen here (not in pyproject.toml), with production-like settings
(DEBUG off) except plain-HTTP transport so the test client and the browser can talk to the
live server. The database is SQLite unless DATABASE_URL names a PostgreSQL server (.ci/run
runs the web tests both ways).
"""

from __future__ import annotations

import os
import tempfile

os.environ["DJANGO_SETTINGS_MODULE"] = "klaster.web.settings"
os.environ.setdefault("KLASTER_SECRET_KEY", "test-" + "k" * 60)
os.environ["KLASTER_DEBUG"] = "0"
os.environ["KLASTER_SECURE_SSL_REDIRECT"] = "0"
os.environ["KLASTER_SECURE_COOKIES"] = "0"
os.environ.setdefault("KLASTER_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("KLASTER_DATA_DIR", tempfile.mkdtemp(prefix="klaster-web-test-"))
# Most tests run inside one transaction; an analysis heartbeat from the worker's second
# connection would wait for that transaction's row lock (PostgreSQL). Heartbeats are
# tested on their own (tests/web/analysis/test_jobs.py, with an explicit interval).
os.environ.setdefault("KLASTER_JOB_HEARTBEAT_SECONDS", "3600")

from klaster.web.i18n import compile_translations  # noqa: E402

compile_translations()

import django  # noqa: E402
import pytest  # noqa: E402

# pytest-django reads the settings module before this file is imported; set Django up
# here so model imports in the test modules work.
django.setup()


@pytest.fixture
def make_user(db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    def make(username, *, group=None, **extra):
        user = get_user_model().objects.create_user(username=username, password="pw-" + username
                                                    + "-Long1", **extra)
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def registry(db, make_user):
    """Two clusters with their coordinators, organisations with representatives."""
    from klaster.web.registry.models import Cluster, Membership, Organisation

    coord_a = make_user("coord_a", group="Cluster coordinators")
    coord_b = make_user("coord_b", group="Cluster coordinators")
    rep_a = make_user("rep_a")
    admin = make_user("admin", group="Programme administrators")
    stranger = make_user("stranger")
    org_a = Organisation.objects.create(name_en="Org A", id_scheme="NIP", id_value="5260250274",
                                        helix="business", latitude=53.1, longitude=23.2,
                                        approved=True)
    org_b = Organisation.objects.create(name_en="Org B", id_scheme="UNP", id_value="100000001",
                                        helix="research", latitude=53.7, longitude=23.8)
    org_a.representatives.add(rep_a)
    published = Cluster.objects.create(name_en="Published cluster", status="operating",
                                       published=True, region="Podlaskie", sector="Metal")
    hidden = Cluster.objects.create(name_en="Hidden cluster", status="forming", published=False)
    published.coordinators.add(coord_a)
    hidden.coordinators.add(coord_b)
    Membership.objects.create(organisation=org_a, cluster=published, role="founder")
    Membership.objects.create(organisation=org_b, cluster=hidden)
    return dict(coord_a=coord_a, coord_b=coord_b, rep_a=rep_a, admin=admin, stranger=stranger,
                org_a=org_a, org_b=org_b, published=published, hidden=hidden)


def api_client(user=None):
    """A DRF test client, authenticated by ``user``'s token (anonymous without one)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        token = Token.objects.get_or_create(user=user)[0]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
