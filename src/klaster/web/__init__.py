"""klaster.web: the Django platform (registry, portal, API) — a thin shell over klaster.

Apps split by concern (healthchecks style): ``registry`` (data model, permissions,
import/export, demo content), ``portal`` (public pages and workspace), ``api`` (REST).
Settings come from the environment (see ``settings.py`` and docs/web.md).
"""
