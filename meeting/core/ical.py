"""iCalendar (RFC 5545) for subscribed calendars and a meeting's one-off .ics. Pure: events in, bytes out.

Outlook, Google and Apple need: one VTIMEZONE per TZID used (Outlook otherwise guesses a zone and shows events
an hour off across DST), a stable UID per event with a SEQUENCE that rises when it moves, a DTSTAMP, and a
cancelled event kept with STATUS:CANCELLED so that a subscribed calendar removes it. Events carry no client
reference and no clinical text: what happens, when, and a link.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

PRODUCT = "-//Belletje//Team meetings//EN"
UID_DOMAIN = "belletje"


@dataclass(frozen=True)
class CalendarEvent:
    """One event: a moment in a time zone (or a whole day), how long, and how to find it in Belletje."""

    uid: str
    summary: str
    start: datetime | date
    minutes: int | None  # None: a moment (a deadline) or a whole day (a date)
    sequence: int
    cancelled: bool
    url: str


def build(events: list[CalendarEvent], name: str, now: datetime) -> bytes:
    """A calendar of `events`, named `name`, with the VTIMEZONE of every zone they use."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for event in events:
        calendar.add_component(_event(event, now))
    days = [e.start.date() if isinstance(e.start, datetime) else e.start for e in events] or [now.date()]
    calendar.add_missing_timezones(min(days) - timedelta(days=366), max(days) + timedelta(days=366))
    return calendar.to_ical()


def _event(item: CalendarEvent, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"{item.uid}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add("summary", item.summary)
    event.add("dtstart", item.start)
    if isinstance(item.start, datetime) and item.minutes:
        event.add("dtend", item.start + timedelta(minutes=item.minutes))
    elif not isinstance(item.start, datetime):
        event.add("dtend", item.start + timedelta(days=1))
    event.add("sequence", item.sequence)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if item.minutes is None else "OPAQUE")
    event.add("url", item.url)
    event.add("description", item.url)
    return event
