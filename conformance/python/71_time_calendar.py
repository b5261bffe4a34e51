# time and calendar on fixed instants: gmtime, strftime, timegm, month calendars, leap years.
import calendar
import time

t = time.gmtime(1700000000)
print(t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, t.tm_wday, t.tm_yday)
print(time.strftime("%Y-%m-%dT%H:%M:%SZ %a %b", t), calendar.timegm(t))
print(time.gmtime(0)[:6], calendar.timegm((2000, 1, 1, 0, 0, 0)))
print(time.strptime("2021-03-04", "%Y-%m-%d")[:3])
print(calendar.isleap(1900), calendar.isleap(2000), calendar.isleap(2024), calendar.leapdays(1900, 2025))
print(tuple(map(int, calendar.monthrange(2024, 2))), int(calendar.weekday(2024, 7, 4)), calendar.day_name[calendar.weekday(2024, 7, 4)])
print(calendar.month(2024, 2), end="")
print(calendar.monthcalendar(2023, 9)[0], list(calendar.month_abbr)[1:4])
c = calendar.Calendar(firstweekday=6)
print([d.day for d in c.itermonthdates(2024, 3)][:8])
print(type(time.time()).__name__, time.monotonic() <= time.monotonic(), time.perf_counter_ns() > 0)
