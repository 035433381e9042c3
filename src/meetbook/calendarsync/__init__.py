"""Two-way sync of advisors' own calendars (CalDAV): their events become calendar entries that block
or open slots (pull), and their meetings are written into the calendar through the outbox (push).
See docs/calendar-sync.md."""
