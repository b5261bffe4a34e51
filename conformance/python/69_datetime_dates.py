# datetime.date: construction, arithmetic, weekdays, ISO calendar, ordinals, formatting.
from datetime import date, timedelta

d = date(2024, 2, 28)
print(d + timedelta(days=1), d + timedelta(days=2), d - date(2023, 2, 28))
print(d.weekday(), d.isoweekday(), d.isocalendar()[:], d.toordinal(), date.fromordinal(738944))
print(date.fromisoformat("2021-12-31"), date(2021, 12, 31).isocalendar()[1], date(2021, 1, 3).isocalendar()[:])
print(d.replace(day=1), d.strftime("%A %d %B %Y, day %j, week %U"), f"{d:%Y/%m/%d}")
print(d.isoformat(), str(d), repr(d), d.ctime())
print(date(2000, 1, 1) < date(2000, 1, 2), max(date(1999, 12, 31), date(1970, 1, 1)))
print(date.min, date.max, (date.max - date.min).days)
try:
    date(2023, 2, 29)
except ValueError as e:
    print("ValueError:", e)
span = date(2030, 6, 1) - date(2024, 6, 1)
print(span.days, span // timedelta(weeks=1), span % timedelta(weeks=1))
print([date(2024, m, 1).strftime("%b") for m in range(1, 13)])
print(sorted([date(2020, 5, 17), date(2019, 1, 1), date(2020, 1, 31)]))
