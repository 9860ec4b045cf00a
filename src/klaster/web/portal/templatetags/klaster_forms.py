"""``{{ field|bootstrap }}``: a form field's widget rendered with Bootstrap 5's classes.

The forms live in the registry and other apps and stay free of presentation; the shared
form template (portal/_form.html) adds the classes here, plus the ARIA attributes that tie
a field to its help text and errors (WCAG 3.3.1, 1.3.1).
"""

from __future__ import annotations

from django import forms, template

register = template.Library()


def widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "form-check-input"
    if isinstance(widget, forms.Select):  # SelectMultiple and NullBooleanSelect included
        return "form-select"
    if isinstance(widget, forms.HiddenInput):
        return ""
    return "form-control"


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def bootstrap(field):
    widget = field.field.widget
    attrs = {}
    css = " ".join(c for c in (widget.attrs.get("class", ""), widget_class(widget),
                               "is-invalid" if field.errors else "") if c)
    if css and not isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        attrs["class"] = css
    described = [widget.attrs["aria-describedby"]] if widget.attrs.get("aria-describedby") else []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
