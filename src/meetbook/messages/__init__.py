"""The wording of the bank's messages: templates per kind and language, rendered from a meeting's facts.

Pure: the standard library, Jinja2 and Babel only; no database, no clock, no I/O. `render` turns
`MessageFacts` and a `Template` (the bank's, or the shipped default) into subject, text and HTML;
`check_template` is what a template must pass before it is saved. `docs/messages.md` describes it.
"""

from .defaults import DEFAULTS
from .facts import KINDS, LANGUAGES, ROLES, MessageFacts, Rendered, Template, normalize_language
from .render import VARIABLES, check_template, default_template, render, sample_facts
from .sandbox import BODY_LIMIT, SUBJECT_LIMIT, TemplateError
from .wording import when_text

__all__ = [
    "BODY_LIMIT",
    "DEFAULTS",
    "KINDS",
    "LANGUAGES",
    "ROLES",
    "SUBJECT_LIMIT",
    "VARIABLES",
    "MessageFacts",
    "Rendered",
    "Template",
    "TemplateError",
    "check_template",
    "default_template",
    "normalize_language",
    "render",
    "sample_facts",
    "when_text",
]
