"""How dates read in French: the same one format per purpose as in English
(config/formats/en), with French month names ("20 nov 2026")."""

DATE_FORMAT = "j b Y"  # 20 nov 2026
SHORT_DATE_FORMAT = "j b"  # 20 nov
DATETIME_FORMAT = "j b Y, H:i"  # 20 nov 2026, 09:30
SHORT_DATETIME_FORMAT = "j b, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\u202f"
NUMBER_GROUPING = 3
