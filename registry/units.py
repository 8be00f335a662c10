"""Units of time: days per day, week, month and year (a month is 365.25 / 12 = 30.4375 days, as most survival
software counts it). Plain Python, so the CLI's choice lists can read it without loading anything heavy.
"""

DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
