"""The register of processing (GDPR Art. 30(1)): controller, purposes, categories of data
and of people, where each is stored, the legal basis and how long it is kept, from the
inventory in klaster.web.privacy.inventory."""

from collections import defaultdict

from django.core.management.base import BaseCommand
from django.utils import translation

from klaster.web.privacy import conf
from klaster.web.privacy.inventory import DEPLOYMENT, personal_fields


class Command(BaseCommand):
    help = "Print the register of processing of personal data (GDPR Art. 30 style)."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="en", choices=["en", "pl", "be", "ru"])

    def handle(self, *args, language, **options):
        with translation.override(language):
            self._print()

    def _print(self):
        from django.utils.translation import gettext as _

        cfg = conf.get()
        out = self.stdout.write
        unset = _("not configured")
        lines = [
            (_("Controller (operator)"), cfg.controller or unset),
            (_("Contact for privacy questions"), cfg.contact or unset),
            (_("Data protection officer"), cfg.dpo or "-"),
            (_("Legal basis"), str(cfg.legal_basis_text)),
            (_("Notice version"), cfg.notice_version),
        ]
        out(_("Register of processing of personal data"))
        for label, value in lines:
            out(f"{label}: {value}")
        out(_("Retention periods: inactive accounts %(a)d days, history %(h)d days, uploads "
              "%(u)d days") % {"a": cfg.inactive_days, "h": cfg.history_days,
                               "u": cfg.upload_days})
        out(_("Data subjects: programme administrators, cluster coordinators, organisation "
              "representatives, evaluators, survey respondents, event participants"))
        out(_("Recipients: programme administrators; coordinators for their clusters; "
              "evaluators for assigned applications; no transfer outside the deployment"))
        out(_("Security measures: see docs/privacy.md (Art. 32)"))
        heads = {"purpose": _("Purpose"), "data": _("Data"), "basis": _("Legal basis"),
                 "long": _("How long"), "where": _("Where")}
        groups = defaultdict(list)
        for model, name, item in personal_fields():
            basis = cfg.legal_basis if item.basis == DEPLOYMENT else item.basis
            key = (str(item.purpose), str(item.category), basis, str(item.retention))
            groups[key].append(f"{model._meta.db_table}.{name}")
        for (purpose, category, basis, retention), where in sorted(groups.items()):
            out("")
            out(f"- {heads['purpose']}: {purpose}")
            out(f"  {heads['data']}: {category}")
            out(f"  {heads['basis']}: {conf.LEGAL_BASES[basis]}")
            out(f"  {heads['long']}: {retention}")
            out(f"  {heads['where']}: {', '.join(sorted(where))}")
