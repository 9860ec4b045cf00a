from django.core.management.base import BaseCommand

from klaster.web.i18n import compile_translations


class Command(BaseCommand):
    help = "Compile the UI translations (.po -> .mo) with polib (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="recompile every catalogue")

    def handle(self, *args, force=False, **options):
        for path in compile_translations(force=force):
            self.stdout.write(f"compiled {path}")
