"""The configuration API (`/config/...`, `/bookme/config/...`): one module per entity with its
write rules (`customer_types`, `topics`, `locations`, `rooms`, `employees`, `groups`, `settings`),
the rules every entity shares (`entity`), the generic create/read/replace/patch/delete of an entity
(`crud`) and the endpoints made from them (`endpoints`); `*_routes` hold the endpoints particular to
one entity, and `routes` assembles the router."""
