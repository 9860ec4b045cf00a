"""Settings from the environment; production settings pass `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "klaster.web.settings",
    "KLASTER_DEBUG": "0",
    "KLASTER_SECRET_KEY": "x7#Gq" + "Zr9!pLk2@Vb8$Nw4%Tc6^Hy3&Jm5*Fd1" * 2,
    "KLASTER_ALLOWED_HOSTS": "clusters.example.org",
}


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KLASTER_", "DJANGO_"))}
    base.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-c", code], env={**base, **env}, text=True,
                          capture_output=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    proc = _run("import sys; from django.core.management import execute_from_command_line;"
                "execute_from_command_line(['m', 'check', '--deploy', '--fail-level', 'WARNING'])",
                {**PROD_ENV, "KLASTER_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_check_deploy_flags_debug_settings(tmp_path):
    # The same check must fail when the environment asks for development settings.
    proc = _run("from django.core.management import execute_from_command_line;"
                "execute_from_command_line(['m', 'check', '--deploy', '--fail-level', 'WARNING'])",
                {**PROD_ENV, "KLASTER_DEBUG": "1", "KLASTER_DATA_DIR": str(tmp_path)})
    assert proc.returncode != 0
    assert "security.W018" in proc.stderr + proc.stdout  # DEBUG on in deployment


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {**PROD_ENV, "KLASTER_DATA_DIR": str(tmp_path)}
    del env["KLASTER_SECRET_KEY"]
    proc = _run("import django; django.setup()", env)
    assert proc.returncode != 0
    assert "KLASTER_SECRET_KEY must be set" in proc.stderr


def test_database_from_environment(tmp_path):
    code = ("from django.conf import settings; d = settings.DATABASES['default'];"
            "print(d['ENGINE'], d['NAME'], d.get('HOST', ''), d.get('PORT', ''))")
    sqlite = _run(code, {**PROD_ENV, "KLASTER_DATA_DIR": str(tmp_path)})
    assert sqlite.stdout.split()[:2] == ["django.db.backends.sqlite3",
                                         str(tmp_path / "klaster.sqlite3")]
    pg = _run(code, {**PROD_ENV, "KLASTER_DATA_DIR": str(tmp_path),
                     "DATABASE_URL": "postgres://u:p@db.internal:5433/registry"})
    assert pg.stdout.split() == ["django.db.backends.postgresql", "registry", "db.internal",
                                 "5433"]


def test_bad_flag_is_reported(tmp_path):
    proc = _run("import django; django.setup()",
                {**PROD_ENV, "KLASTER_DEBUG": "maybe", "KLASTER_DATA_DIR": str(tmp_path)})
    assert "KLASTER_DEBUG='maybe'" in proc.stderr


def test_argon2_first_and_axes_installed(settings):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2(make_user):
    user = make_user("hash_check")
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_login_is_rate_limited(client, make_user, settings):
    make_user("victim")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = client.post("/accounts/login/", {"username": "victim", "password": "wrong"})
        assert r.status_code == 200  # the form again, with an error
    r = client.post("/accounts/login/", {"username": "victim", "password": "wrong"})
    assert r.status_code == 429  # the limit-th failure locks the pair out
    # Now even the right password is refused for this username and address.
    r = client.post("/accounts/login/", {"username": "victim", "password": "pw-victim-Long1"})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_works_with_the_right_password(client, make_user):
    make_user("alice")
    r = client.post("/accounts/login/", {"username": "alice", "password": "pw-alice-Long1"})
    assert r.status_code == 302
    assert client.session["_auth_user_id"]


# --- DEBUG stays on this computer (issue 12) ----------------------------------------------

def test_serve_refuses_debug_on_a_network_address(monkeypatch):
    from klaster.errors import KlasterError
    from klaster.web.cli import local_only

    for name in ("KLASTER_DEBUG", "KLASTER_ALLOWED_HOSTS", "KLASTER_SECURE_SSL_REDIRECT",
                 "KLASTER_SECURE_COOKIES", "KLASTER_HSTS_SECONDS", "KLASTER_GENERATED_SECRET"):
        monkeypatch.delenv(name, raising=False)
    local_only("127.0.0.1", debug=True)
    assert os.environ["KLASTER_DEBUG"] == "1"
    monkeypatch.delenv("KLASTER_DEBUG")
    local_only("0.0.0.0", debug=True)  # the docs' example: served with DEBUG off
    assert os.environ["KLASTER_DEBUG"] == "0"
    assert os.environ["KLASTER_SECURE_SSL_REDIRECT"] == "0"
    monkeypatch.setenv("KLASTER_DEBUG", "1")
    with pytest.raises(KlasterError, match="0.0.0.0"):
        local_only("0.0.0.0", debug=True)
    for host in ("::", "192.168.1.5", "myhost.example.org"):
        with pytest.raises(KlasterError):
            local_only(host, debug=True)
    for host in ("localhost", "::1", "[::1]", "127.0.0.2"):
        local_only(host, debug=True)


def test_klaster_serve_with_debug_on_the_network_exits_2_before_serving(monkeypatch):
    from typer.testing import CliRunner

    from klaster.cli import app

    called = []
    monkeypatch.setattr("django.core.management.call_command",
                        lambda *a, **k: called.append(a))
    monkeypatch.setenv("KLASTER_DEBUG", "1")
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "KLASTER_DEBUG is on" in result.output and "Traceback" not in result.output
    assert called == []  # nothing migrated, nothing served


@pytest.mark.django_db
def test_debug_pages_never_reach_another_machine(client, settings):
    settings.DEBUG = True
    remote = client.get("/no-such-page/", REMOTE_ADDR="203.0.113.9")
    assert remote.status_code == 403
    assert b"urlpatterns" not in remote.content and b"klaster.web.urls" not in remote.content
    local = client.get("/no-such-page/", REMOTE_ADDR="127.0.0.1")
    assert local.status_code == 404
    settings.DEBUG = False
    assert client.get("/", REMOTE_ADDR="203.0.113.9").status_code == 200


# --- Content-Security-Policy ---------------------------------------------------------------

def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_page_has_a_strict_script_policy(client, registry):
    page = client.get("/")
    policy = _policy(page)
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    html = page.content.decode()
    assert "onchange=" not in html and "onclick=" not in html
    api = client.get("/api/clusters/")
    assert "Content-Security-Policy" in api
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_template_has_an_inline_handler_or_an_inline_script_without_nonce():
    import re
    from pathlib import Path

    import klaster.web

    root = Path(klaster.web.__file__).parent
    for path in root.glob("*/templates/**/*.html"):
        if path.name == "report_pdf.html":  # rendered to PDF by WeasyPrint, never served
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\son[a-z]+\s*=", text), f"{path}: inline event handler"
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or "nonce=" in tag or "application/json" in tag, (
                f"{path}: {tag} needs nonce=\"{{{{ CSP_NONCE }}}}\"")
