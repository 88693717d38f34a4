"""One date format per locale: templates and texts built in Python use the named formats of
config/formats, never a format string of their own."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, get_format

ROOT = Path(settings.BASE_DIR)
NAMED = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
}
# |date:"…", |time:"…" and {% now "…" %} with their argument.
TEMPLATE_FORMAT = re.compile(r"""\|(?:date|time):(["'])(.*?)\1|\{%\s*now\s+(["'])(.*?)\3""")
PYTHON_FORMAT = re.compile(r"""\bdate_format\([^()]*(?:\([^()]*\)[^()]*)*,\s*(["'])(.*?)\1""")


def _templates():
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(p for d in dirs for p in d.rglob("*") if p.suffix in (".html", ".txt"))


def test_templates_use_only_the_named_date_formats():
    assert _templates(), "no templates found"
    ad_hoc = []
    for path in _templates():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in TEMPLATE_FORMAT.finditer(line):
                fmt = match.group(2) if match.group(2) is not None else match.group(4)
                if fmt not in NAMED:
                    ad_hoc.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert ad_hoc == [], "use a named format (DATE_FORMAT…) instead:\n" + "\n".join(ad_hoc)


def test_python_texts_use_only_the_named_date_formats():
    sources = [
        p
        for app in ("athletes", "monitoring", "rehab", "config")
        for p in (ROOT / app).rglob("*.py")
        if "migrations" not in p.parts
    ]
    ad_hoc = []
    for path in sources:
        for match in PYTHON_FORMAT.finditer(path.read_text()):
            if match.group(2) not in NAMED:
                ad_hoc.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert ad_hoc == [], "\n".join(ad_hoc)


@pytest.mark.parametrize("language", ["en", "en-gb"])
def test_the_english_formats_come_from_config_formats(language):
    moment = dt.datetime(2026, 11, 20, 9, 30)
    with translation.override(language):
        assert get_format("DATE_FORMAT") == "j M Y"
        assert date_format(moment.date()) == "20 Nov 2026"
        assert date_format(moment.date(), "SHORT_DATE_FORMAT") == "20 Nov"
        assert date_format(moment, "DATETIME_FORMAT") == "20 Nov 2026, 09:30"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "20 Nov, 09:30"
        rendered = Template('{{ d|date:"DATE_FORMAT" }} · {{ d|date }}').render(
            Context({"d": moment.date()})
        )
        assert rendered == "20 Nov 2026 · 20 Nov 2026"


def test_a_date_input_still_accepts_iso_dates():
    """The format module leaves input formats alone: an <input type="date"> sends ISO."""
    assert "%Y-%m-%d" in get_format("DATE_INPUT_FORMATS")
