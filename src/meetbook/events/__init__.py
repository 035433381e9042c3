"""The outbox's dispatcher (design §4b): consumers plan deliveries of events; due ones are claimed and sent."""
