"""Which words must be translated, and how many are.

Every word a person reads goes through Django's translation machinery (gettext in Python,
{% translate %} and {% blocktranslate %} in templates) into one catalogue per language,
locale/<language>/LC_MESSAGES/django.po, which `make messages` extracts and compiles. English is
the source language. Spanish and French are complete for what an athlete reads (their phone
pages, signing in, the invitation they accept) and for every e-mail and push text: the files
named in ATHLETE_FACING. Staff pages are in the catalogue too, in English until translated.

The compiled catalogues (django.mo) are committed, so a machine without gettext serves them.
tests/core/test_translations.py fails when a catalogue misses a string of the code or an
athlete-facing entry has no translation; `manage.py translation_coverage` prints the counts.
"""

from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

import polib
from django.conf import settings

# The languages whose athlete-facing words must all be translated (the source is English).
TRANSLATED = ("es", "fr")

# Where the athlete's words and every e-mail or push text live (paths from the project root,
# shell patterns). A catalogue entry is athlete-facing when one of its places is in here.
ATHLETE_FACING = (
    "templates/me/*",
    "templates/registration/*",
    "templates/accounts/invitation_*",
    "templates/accounts/profile.html",
    "templates/_chart_scripts.html",
    "templates/people/accept.html",
    "templates/people/unusable.html",
    "portal/me_views.py",
    "portal/reminder_views.py",
    "monitoring/reminder_forms.py",
    "monitoring/notification_forms.py",
    "monitoring/notification_views.py",
    "athletes/account_forms.py",
    "athletes/account_views.py",
    "athletes/people_forms.py",
    "athletes/people_views.py",
    "athletes/two_factor.py",
    "monitoring/athlete_forms.py",
    "monitoring/reminders.py",
    "monitoring/notify.py",
    "rehab/checkin_feedback.py",
    "rehab/athlete_words.py",
    "rehab/protocol_templates.py",
    "rehab/reminders.py",
    "athletes/invitations.py",
)

# `make messages` and the catalogue test extract with the same options: every app, template
# and script of ours; nothing vendored, installed or generated; places without line numbers so
# that moving a line does not rewrite the catalogue.
MAKEMESSAGES_OPTIONS = (
    "--extension=html,txt,py,webmanifest",
    "--add-location=file",
    "--no-obsolete",
    "--ignore=.venv",
    "--ignore=.tools",
    "--ignore=tests",
    "--ignore=bench",
    "--ignore=docs",
    "--ignore=static/vendor",
    "--ignore=staticfiles",
    "--ignore=node_modules",
)


def is_athlete_facing(path: str) -> bool:
    return any(fnmatch(path, pattern) for pattern in ATHLETE_FACING)


def catalogue_path(language: str, locale_dir: Path | None = None) -> Path:
    locale_dir = Path(locale_dir or settings.LOCALE_PATHS[0])
    return locale_dir / language / "LC_MESSAGES" / "django.po"


@dataclass
class Coverage:
    """Translated entries of one language's catalogue: the athlete-facing ones and all."""

    language: str
    athlete_done: int = 0
    athlete_total: int = 0
    done: int = 0
    total: int = 0
    missing: list[str] = field(default_factory=list)  # athlete-facing msgids without a translation

    @staticmethod
    def percent(done: int, total: int) -> float:
        return 100.0 * done / total if total else 100.0

    @property
    def athlete_percent(self) -> float:
        return self.percent(self.athlete_done, self.athlete_total)

    @property
    def all_percent(self) -> float:
        return self.percent(self.done, self.total)


def coverage(language: str, locale_dir: Path | None = None) -> Coverage:
    result = Coverage(language)
    for entry in polib.pofile(str(catalogue_path(language, locale_dir))):
        if entry.obsolete:
            continue
        # translated(): a msgstr for every plural form and not marked fuzzy.
        translated = entry.translated()
        result.total += 1
        result.done += translated
        if any(is_athlete_facing(place) for place, _line in entry.occurrences):
            result.athlete_total += 1
            result.athlete_done += translated
            if not translated:
                result.missing.append(entry.msgid)
    return result
