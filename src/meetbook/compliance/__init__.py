"""What compliance asks of the service: the audit trail read by admins (`GET /config/audit-log`), a
customer's erasure (`DELETE /bookme/customers/{customerId}`) and the retention periods the sweeper
applies. The trail itself is written by session events in `meetbook.tables.audit`."""
