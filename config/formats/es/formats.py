"""How dates read in Spanish: the same one format per purpose as in English
(config/formats/en), with Spanish month names ("20 nov 2026")."""

DATE_FORMAT = "j b Y"  # 20 nov 2026
SHORT_DATE_FORMAT = "j b"  # 20 nov
DATETIME_FORMAT = "j b Y, H:i"  # 20 nov 2026, 09:30
SHORT_DATETIME_FORMAT = "j b, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j \\d\\e F"
YEAR_MONTH_FORMAT = "F \\d\\e Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
