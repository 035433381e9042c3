"""Signed webhooks: subscriptions in the configuration API, delivered from the outbox (docs/webhooks.md)."""
