"""The scoped forms' selects write their options directly (issue 14: 20,000 options went
through the template engine one by one); the markup is Django's own, blank lines aside."""

from __future__ import annotations

import pytest
from django import forms

from klaster.web.registry.forms import DirectSelect, DirectSelectMultiple

CHOICES = [("", "---------"), (1, "A & B"), ("Group <1>", [(2, 'say "x"'), (3, "<z>")]),
           (4, "Łódź")]


@pytest.mark.parametrize(("django_widget", "direct", "value"), [
    (forms.Select, DirectSelect, 3), (forms.Select, DirectSelect, None),
    (forms.SelectMultiple, DirectSelectMultiple, [1, 3])])
def test_direct_select_renders_what_django_renders(django_widget, direct, value):
    attrs = {"id": "id_x", "class": "form-select", "aria-describedby": "h", "disabled": True,
             "data-off": False}
    a, b = django_widget(choices=CHOICES, attrs=attrs), direct(choices=CHOICES, attrs=attrs)
    a.is_required = b.is_required = True
    expected = a.render("x", value)
    while "\n\n" in expected:
        expected = expected.replace("\n\n", "\n")
    assert b.render("x", value) == expected
    assert "&lt;z&gt;" in expected and 'label="Group &lt;1&gt;"' in expected
