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
        out(_("Register of processing of personal data"))
        out(f"{_('Controller (operator)')}: {cfg.controller or _('not configured')}")
        out(f"{_('Contact for privacy questions')}: {cfg.contact or _('not configured')}")
        out(f"{_('Data protection officer')}: {cfg.dpo or '-'}")
        out(f"{_('Legal basis')}: {cfg.legal_basis_text}")
        out(f"{_('Notice version')}: {cfg.notice_version}")
        out(_("Retention periods: inactive accounts %(a)d days, history %(h)d days, uploads "
              "%(u)d days") % {"a": cfg.inactive_days, "h": cfg.history_days,
                               "u": cfg.upload_days})
        out(_("Data subjects: programme administrators, cluster coordinators, organisation "
              "representatives, evaluators, survey respondents, event participants"))
        out(_("Recipients: programme administrators; coordinators for their clusters; "
              "evaluators for assigned applications; no transfer outside the deployment"))
        out(_("Security measures: see docs/privacy.md (Art. 32)"))
        groups = defaultdict(list)
        for model, name, item in personal_fields():
            basis = cfg.legal_basis if item.basis == DEPLOYMENT else item.basis
            key = (str(item.purpose), str(item.category), basis, str(item.retention))
            groups[key].append(f"{model._meta.db_table}.{name}")
        for (purpose, category, basis, retention), where in sorted(groups.items()):
            out("")
            out(f"- {_('Purpose')}: {purpose}")
            out(f"  {_('Data')}: {category}")
            out(f"  {_('Legal basis')}: {conf.LEGAL_BASES[basis]}")
            out(f"  {_('How long')}: {retention}")
            out(f"  {_('Where')}: {', '.join(sorted(where))}")
