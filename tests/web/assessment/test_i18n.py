"""The assessment report (HTML and PDF) shows the engine's explanations in the reader's
language; results stored before explanations were messages still show as written."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from klaster.messages import render

from .test_workflow import _decided

pytestmark = pytest.mark.django_db

# rubric_test.yaml: 1 joint product and satisfaction 4.5 -> 5 of 15 points, below Silver.
VERDICT = {
    "en": "Not passed: 33.33 % is below the lowest level (Silver, 50 %).",
    "pl": "Niezaliczone: 33,33% to mniej niż najniższy poziom (Silver, 50%).",
    "be": "Не пройдзена: 33,33\u00a0% ніжэй за самы нізкі ўзровень (Silver, 50\u00a0%).",
    "ru": "Не пройдено: 33,33\u00a0% ниже самого низкого уровня (Silver, 50\u00a0%).",
}


@pytest.mark.parametrize("lang", ["en", "pl", "be", "ru"])
def test_html_report_explanation_in_the_readers_language(world, lang):
    app = _decided(world, publish=True)
    client = Client()
    client.cookies["django_language"] = lang
    html = client.get(reverse("assessment:report", args=[app.pk])).content.decode()
    assert escape(VERDICT[lang]) in html
    for line in app.result["explanation"]:
        assert escape(render(line, lang)) in html
    if lang != "en":
        english = [render(line, "en") for line in app.result["explanation"]]
        assert not [e for e in english if escape(e) in html]


def test_pdf_report_in_polish(world):
    pypdf = pytest.importorskip("pypdf")
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:  # Pango is loaded at import
        pytest.skip(f"WeasyPrint cannot load Pango ({exc})")
    app = _decided(world, publish=True)
    client = Client()
    client.cookies["django_language"] = "pl"
    r = client.get(reverse("assessment:report_pdf", args=[app.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.content)).pages)
    text = " ".join(text.split())
    assert VERDICT["pl"] in text
    assert "Warunek progowy „At least 2 members” spełniony" in text
    assert "Not passed" not in text and "points" not in text


def test_old_plain_text_explanations_show_as_stored(world):
    app = _decided(world, publish=True)
    app.result["explanation"] = ["An explanation stored as plain text."]
    app.result["missing"] = ["members", "joint_products"]
    app.save()
    client = Client()
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("assessment:report", args=[app.pk])).content.decode()
    assert "An explanation stored as plain text." in html
    # missing inputs by name: klaster's registry label translated, the rubric's own as is
    assert "<dd>Члены кластера, Joint products</dd>" in html


def test_kpi_names_on_the_dashboard_in_the_readers_language():
    from django.utils import translation

    from klaster.web.assessment.views import _kpi_label

    with translation.override("pl"):
        assert _kpi_label("members") == "Członkowie"
        assert _kpi_label("network_density") == "Gęstość sieci"
        assert _kpi_label("patents") == "patents"  # not a klaster KPI: shown as stored
    with translation.override("ru"):
        assert _kpi_label("member_retention") == "Удержание членов"


def test_registry_values_named_and_described_in_the_readers_language(world):
    from .test_workflow import apply_and_submit, login

    app = apply_and_submit(world)
    client = login(world["coord_a"])
    client.cookies["django_language"] = "be"
    html = client.get(reverse("assessment:application", args=[app.pk])).content.decode()
    table = html[html.index('id="registry-values"'):]
    table = table[:table.index("</table>")]
    assert "Члены кластара (колькасць)" in table
    assert escape("Арганізацыі, якія з'яўляюцца членамі на канец года") in table
    assert "Organisations that are members" not in table


@pytest.mark.django_db
def test_builtin_rubric_titles_in_the_readers_language(registry):
    """Rubric titles, areas and names go through ``engine_term``: the built-in rubrics'
    texts are in the engine catalogue."""
    client = Client()
    client.force_login(registry["admin"])
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("assessment:rubrics")).content.decode()
    assert escape("KKK 2021 — статус ключевого национального кластера") in html
    assert "status of Key National Cluster" not in html
