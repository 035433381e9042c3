"""E-mail invitations, changes, cancellations and reminders: a consumer of the outbox."""
