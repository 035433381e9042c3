"""The bank definition file (design 3c): one document, every key optional."""

from __future__ import annotations

from pydantic import Field, field_validator

from meetbook.catalog import schemas as c
from meetbook.core.wire import ApiModel


class BankDefinition(ApiModel):
    organization_settings: c.OrganizationSettings | None = None
    locations: list[c.Location] = []
    rooms: list[c.Room] = []
    customer_types: list[c.CustomerType] = []
    topics: list[c.Topic] = []
    employees: list[c.Employee] = []
    employee_schedules: list[c.EmployeeSchedule] = []
    competence_groups: list[c.CompetenceGroup] = []
    service_groups: list[c.ServiceGroup] = []
    priority_rules: list[c.PriorityRule] | None = Field(default=None)
    time_slots: list[c.CalendarTime] = []
    message_templates: list[c.MessageTemplateEntry] = []

    @field_validator("priority_rules")
    @classmethod
    def _valid_levels(cls, rules: list[c.PriorityRule] | None) -> list[c.PriorityRule] | None:
        if rules is None:
            return None
        c.check_priority_rules(rules)
        return rules


