"""How dates read in English (en, en-gb): one format per purpose, used by every template
(`|date:"DATE_FORMAT"`) and every text built in Python (`django.utils.formats.date_format`).

Input formats are not set here: forms keep Django's en-gb ones, which accept ISO dates (what
an <input type="date"> sends)."""

DATE_FORMAT = "j M Y"  # 20 Nov 2026
SHORT_DATE_FORMAT = "j M"  # 20 Nov: tables and charts within the current season
DATETIME_FORMAT = "j M Y, H:i"  # 20 Nov 2026, 09:30
SHORT_DATETIME_FORMAT = "j M, H:i"  # 20 Nov, 09:30
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
