"""Every word an athlete reads is translated (core.translations): no athlete-facing template
holds a literal outside {% translate %} / {% blocktranslate %}, the catalogues hold every string
of the code, Spanish and French translate every athlete-facing one, and the compiled catalogues
match their sources."""

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings

from core.translations import (
    ATHLETE_FACING,
    MAKEMESSAGES_OPTIONS,
    TRANSLATED,
    catalogue_path,
    coverage,
    is_athlete_facing,
)

ROOT = Path(settings.BASE_DIR)

# Text a translator would leave as it is: units, the pain scale's "/10", symbols.
UNTRANSLATABLE = {"/10", "N", "kg", "cm", "m", "s", "h", "%", "ms", "m/s", "LSI", "Sprintback"}
# Attributes whose values people read (or hear from a screen reader).
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "content"}
# data-* attributes that scripts show to people (the rest carry machine values).
SHOWN_DATA = re.compile(
    r"^data-(idle|.*label|.*text|.*message|saved|queued|failed|offline|on|off|denied|error|busy|done)$"
)


class LiteralFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.skip += 1
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or SHOWN_DATA.match(name)):
                if tag == "meta" and name == "content" and dict(attrs).get("name") != "description":
                    continue
                self.check(value, f"{tag}[{name}]")

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.check(data, "text")

    def check(self, text, where):
        words = text.strip()
        if has_words(words):
            self.found.append(f"{where}: {words[:60]!r}")


def has_words(text: str) -> bool:
    leftover = [part for part in re.split(r"[\s·—–|()\[\]:,.]+", text) if part]
    return any(re.search(r"[^\W\d_]", part) and part not in UNTRANSLATABLE for part in leftover)


def without_django(source: str) -> str:
    """The template with Django's own syntax taken out: comments, translated blocks, tags and
    variables each become a space, so what remains is what the template says itself."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    source = re.sub(
        r"{%\s*blocktrans(late)?\b.*?{%\s*endblocktrans(late)?\s*%}", " ", source, flags=re.S
    )
    source = re.sub(r"{%.*?%}", " ", source, flags=re.S)
    return re.sub(r"{{.*?}}", " ", source, flags=re.S)


def literals(path: Path) -> list[str]:
    source = without_django(path.read_text())
    if path.suffix == ".webmanifest":
        manifest = json.loads(re.sub(r"\s+", " ", source).replace('" "', '""'))
        return [
            f"{key}: {manifest[key]!r}"
            for key in ("name", "short_name", "description")
            if has_words(manifest.get(key, ""))
        ]
    if path.suffix == ".txt":
        return [f"text: {line.strip()!r}" for line in source.splitlines() if has_words(line)]
    if path.suffix == ".js":
        # Scripts rendered as templates: their quoted strings are what people may see.
        return [
            f"string: {text!r}"
            for text in re.findall(r"\"([^\"\n]*)\"|'([^'\n]*)'", source)
            for text in text
            if text and " " in text.strip() and has_words(text)
        ]
    finder = LiteralFinder()
    finder.feed(source)
    return finder.found


def athlete_templates() -> list[Path]:
    return sorted(
        path
        for path in (ROOT / "templates").rglob("*")
        if path.is_file() and is_athlete_facing(str(path.relative_to(ROOT)))
    )


def test_the_finder_sees_literals_and_accepts_translated_words(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<h1>{% translate "Today" %}</h1><p>Pain {{ value }} /10</p>'
        '<button title="Save it" aria-label="{% translate "Save" %}">{% blocktranslate %}Save'
        " {{ n }}{% endblocktranslate %}</button><script>var a = 'Not seen';</script>"
    )
    assert literals(page) == ["text: 'Pain   /10'", "button[title]: 'Save it'"]


def test_athlete_facing_templates_say_nothing_outside_the_translation_tags():
    templates = athlete_templates()
    assert len(templates) >= 20, [str(path) for path in templates]
    found = {str(path.relative_to(ROOT)): hits for path in templates if (hits := literals(path))}
    assert found == {}


def catalogue_keys(path: Path) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(path)) if not entry.obsolete}


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory) -> Path:
    """The catalogues `make messages` would write now, extracted from a copy of the sources
    (so that the committed ones are compared, not rewritten)."""
    copy = tmp_path_factory.mktemp("sources") / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            ".tools",
            "node_modules",
            "staticfiles",
            "__pycache__",
            ".broker",
            ".beat",
            "db.sqlite3*",
            "docs",
            "bench",
            "tests",
            ".pytest_cache",
            ".ruff_cache",
            "*.mo",
        ),
        symlinks=True,
    )
    languages = [f"--locale={language}" for language in TRANSLATED]
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *languages, *MAKEMESSAGES_OPTIONS],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return copy / "locale"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalogue_holds_every_string_of_the_code(language, fresh_catalogues):
    committed = catalogue_keys(catalogue_path(language))
    wanted = catalogue_keys(catalogue_path(language, fresh_catalogues))
    assert sorted(wanted - committed, key=str) == [], "run `make messages` and translate"
    assert sorted(committed - wanted, key=str) == [], "strings no code uses: run `make messages`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_athlete_facing_string_is_translated(language):
    counted = coverage(language)
    print(
        f"\n{language}: athlete-facing {counted.athlete_done}/{counted.athlete_total}"
        f" ({counted.athlete_percent:.1f} %), all {counted.done}/{counted.total}"
        f" ({counted.all_percent:.1f} %)"
    )
    assert counted.athlete_total > 100
    assert counted.missing == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_the_source(language):
    source = catalogue_path(language)
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in polib.mofile(str(source.with_suffix(".mo")))
        if entry.msgid
    }
    translated = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in polib.pofile(str(source))
        if entry.translated() and not entry.obsolete
    }
    assert compiled == translated, "run `make messages` (compilemessages) and commit the .mo"


def test_every_athlete_facing_place_exists():
    """A renamed file would leave its words out of the athlete-facing count unnoticed."""
    for pattern in ATHLETE_FACING:
        assert list(ROOT.glob(pattern)), pattern
