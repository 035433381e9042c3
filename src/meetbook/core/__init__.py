"""The bottom layer: database and unit of work, ids, locks, errors, clock, time formats, wire pieces, HTTP plumbing."""
