"""Print how much of each catalogue is translated: `manage.py translation_coverage [--update]
[--strict]` (`make messages` runs it with --update: extract, compile, then count)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.translations import MAKEMESSAGES_OPTIONS, TRANSLATED, coverage


class Command(BaseCommand):
    help = "How much of each language's catalogue is translated (athlete-facing and all)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="First extract every string into the catalogues and compile them (needs gettext).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail when an athlete-facing string has no translation.",
        )

    def handle(self, *args, update=False, strict=False, **options):
        if update:
            languages = [f"--locale={language}" for language in TRANSLATED]
            call_command("makemessages", *languages, *MAKEMESSAGES_OPTIONS, verbosity=0)
            call_command("compilemessages", *languages, verbosity=0)
        missing = 0
        for language in TRANSLATED:
            counted = coverage(language)
            self.stdout.write(
                f"{language}: athlete-facing {counted.athlete_done}/{counted.athlete_total}"
                f" ({counted.athlete_percent:.1f} %), all {counted.done}/{counted.total}"
                f" ({counted.all_percent:.1f} %)"
            )
            for msgid in counted.missing:
                self.stdout.write(f"  untranslated: {msgid!r}")
            missing += len(counted.missing)
        if strict and missing:
            raise CommandError(f"{missing} athlete-facing strings have no translation.")
