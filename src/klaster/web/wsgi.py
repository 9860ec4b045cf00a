"""WSGI entry point for production servers: ``gunicorn klaster.web.wsgi``.

Run it with the packaged configuration, which preloads this module in gunicorn's master
process before the workers fork (see ``klaster.web.gunicorn_conf``)::

    gunicorn -c python:klaster.web.gunicorn_conf klaster.web.wsgi

Importing the module also does what every worker's first request used to pay (1.6 s at
load 4 with 2 workers, issue 14): it imports every view through the URL resolver, compiles
the page templates into the cached loader, and loads the translation catalogues of every
language, and (:func:`fill_caches`) fills the registry-version caches of the directory
and the map; :func:`warm_data` (gunicorn's ``post_fork``, in each worker) runs the
directory's Polars queries once. With ``preload_app`` this happens once, and the forked workers share it.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klaster.web.settings")
application = get_wsgi_application()


def _populate_namespaces(resolver) -> None:
    from django.urls import URLResolver

    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            pattern.reverse_dict  # noqa: B018
            _populate_namespaces(pattern)


def warm_up() -> None:
    """Import, compile and load what a first request needs (no database access)."""
    from django.conf import settings
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 — imports every app's urls and views
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # loads the catalogues of the language
            translation.gettext("Clusters")
            # The reverse index of {% url %} is built per language (186 patterns
            # normalised: most of a warmed worker's remaining first-request time).
            resolver.reverse_dict  # noqa: B018
            # … and so is each namespace's own (portal:, assessment:, …: every
            # {% url 'portal:…' %}): 0.9 s of a preloaded worker's first page (issue 14).
            _populate_namespaces(resolver)
    names = ["portal/base.html", "portal/directory.html", "portal/cluster.html",
             "portal/organisation.html", "portal/map.html", "portal/workspace.html",
             "portal/cached_page.html", "portal/form.html", "registration/login.html",
             "analysis/list.html"]
    for name in names:
        try:
            get_template(name)
        except TemplateDoesNotExist:  # renamed by a later change: nothing to warm
            pass
    # The forms' own template engine (widgets, labels, errors) loads lazily too.
    from django import forms

    class _Every(forms.Form):
        text = forms.CharField(help_text="h")
        number = forms.IntegerField()
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        choice = forms.ChoiceField(choices=[("a", "a")])
        many = forms.MultipleChoiceField(choices=[("a", "a")])
        ticks = forms.MultipleChoiceField(choices=[("a", "a")],
                                          widget=forms.CheckboxSelectMultiple)
        radio = forms.ChoiceField(choices=[("a", "a")], widget=forms.RadioSelect)
        flag = forms.BooleanField()
        note = forms.CharField(widget=forms.Textarea)
        upload = forms.FileField()
        hidden = forms.CharField(widget=forms.HiddenInput)

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            form = _Every(data={})
            form.is_valid()
            str(form), form.as_p(), form.as_table(), form.as_ul()
    # Serializers, filters and schema classes of the API are imported by the resolver;
    # the DRF settings object resolves its classes on first access.
    from rest_framework.settings import api_settings

    api_settings.DEFAULT_RENDERER_CLASSES  # noqa: B018


def fill_caches() -> None:
    """In the master, before the fork: build what the registry-version caches hold
    (the directory table of every cluster, the map's entries) in every language, so
    no worker's first directory or map computes them (most of the 1.1 s a preloaded
    worker's first directory still took, issue 14). Builds Polars frames but runs no
    Polars query: Polars' thread pool does not survive a fork (a worker forked after the
    master had queried hung on its first directory). Closes its database connections
    (none may be shared with the workers); any failure (database not there yet) leaves
    it to the first requests."""
    from django.conf import settings
    from django.db import connections
    from django.utils import translation

    try:
        from klaster.web.portal import directory, views

        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                directory.full_table()
                views._map_entries(code)
    except Exception:  # noqa: BLE001, S110 — only a warm-up: the requests build it
        pass
    finally:
        connections.close_all()


def warm_data() -> None:
    """In each worker (gunicorn's ``post_fork``): the directory's Polars queries once
    on the cached table (starts the worker's own Polars thread pool)."""
    from django.db import connections
    from django.http import QueryDict

    try:
        from klaster import cluster_directory
        from klaster.web.portal import directory

        filtered = cluster_directory.apply_facets(directory.full_table(), {})
        cluster_directory.sort_directory(filtered, "name")
        directory.facet_panels(filtered, QueryDict())
    except Exception:  # noqa: BLE001 — only a warm-up: the requests build it
        connections["default"].close()


if os.environ.get("KLASTER_WARM_UP", "1") != "0":
    warm_up()
    fill_caches()
