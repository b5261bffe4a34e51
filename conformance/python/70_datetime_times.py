# datetime.datetime/time/timedelta with fixed offsets (no time zone database needed).
from datetime import datetime, time, timedelta, timezone

utc = timezone.utc
cet = timezone(timedelta(hours=1), "CET")
ist = timezone(timedelta(hours=5, minutes=30))
moment = datetime(2024, 3, 10, 14, 30, 15, 250000, tzinfo=utc)
print(moment.isoformat(), moment.astimezone(cet).isoformat(), moment.astimezone(ist).isoformat())
print(moment.timestamp(), datetime.fromtimestamp(1700000000, tz=utc))
print(moment.strftime("%Y-%m-%d %H:%M:%S.%f %z %Z"), moment.astimezone(cet).tzname(), ist.tzname(None))
print(datetime.fromisoformat("2024-03-10T14:30:15+01:00").utcoffset())
naive = datetime(2024, 12, 31, 23, 59, 59)
print(naive + timedelta(seconds=1), naive.replace(tzinfo=utc) == moment, naive.date(), naive.time())
print(datetime.strptime("07/04/2021 09:05", "%m/%d/%Y %H:%M"))
print(datetime(2024, 3, 10, 14, tzinfo=cet) - datetime(2024, 3, 10, 14, tzinfo=utc))
delta = timedelta(days=1, hours=25, minutes=-30, seconds=3.5, microseconds=7)
print(delta, delta.days, delta.seconds, delta.microseconds, delta.total_seconds())
print(timedelta(hours=-1), abs(timedelta(hours=-1)), timedelta(days=3) / 2, timedelta(days=1) / timedelta(hours=6))
print(repr(timedelta(seconds=90)), str(timedelta(0)), timedelta.max)
t = time(9, 5, 7, 1200, tzinfo=ist)
print(t, t.isoformat(timespec="milliseconds"), t.utcoffset(), time(23, 59).strftime("%I:%M %p"))
print(datetime(2024, 1, 1, tzinfo=utc) == datetime(2024, 1, 1, 1, tzinfo=cet))
print(datetime.combine(datetime(2020, 2, 2).date(), time(12)).isoformat(sep=" "))
