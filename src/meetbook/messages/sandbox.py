"""The Jinja2 sandbox the bank's templates run in, with every way to grow without bound capped.

The stock sandbox stops attribute escapes (`''.__class__`) and caps `range`, but a template can still
loop a million times without output, double a string fifty times or format a gigabyte of padding. So on
top of `ImmutableSandboxedEnvironment` one render gets a budget (steps and wall time), every value it
makes is capped in size, and only a list of filters that cannot explode is offered. The budget is
charged where the template does work: each loop (its length, up front), each call, each filter,
each intercepted operator and each `~`.
"""

from __future__ import annotations

import contextvars
import re
import time
import traceback
from collections.abc import Callable
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import escape

SUBJECT_LIMIT = 500  # characters of subject source
BODY_LIMIT = 20_000  # characters of body source
OUTPUT_LIMIT = 100_000  # characters a render may produce, and the largest value it may hold
STEP_LIMIT = 20_000  # loop items, calls, filters and operators in one render
INT_LIMIT = 10_000  # the largest integer passed to a call or filter (widths, counts)
RANGE_LIMIT = 1_000
TIME_LIMIT = 1.0  # seconds for one check or one render


class TemplateError(ValueError):
    """A template that does not render; the message says which part, which line and what is wrong."""

    def __init__(self, problem: str, part: str | None = None, line: int | None = None):
        self.problem, self.part, self.line = problem, part, line
        where = f"{part}, line {line}: " if part and line else f"{part}: " if part else ""
        super().__init__(f"{where}{problem}")


class _Refused(Exception):
    """A limit hit inside a render; becomes a TemplateError with the line it was hit on."""


class _Budget:
    def __init__(self, deadline: float):
        self.steps = 0
        self.deadline = deadline

    def charge(self, steps: int = 1) -> None:
        self.steps += steps
        if self.steps > STEP_LIMIT:
            raise _Refused(f"the template does too much work (more than {STEP_LIMIT} loop items, calls and filters)")
        if time.monotonic() > self.deadline:
            raise _Refused(f"the template takes too long to render (more than {TIME_LIMIT:g} s)")


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("message_template_budget", default=None)


def _charge(steps: int = 1) -> None:
    budget = _budget.get()
    if budget is not None:
        budget.charge(steps)


def _size(value: Any) -> int:
    """Characters (or items) a value holds, one level deep: enough to stop doubling before it starts."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple, range, dict, set, frozenset)):
        return len(value) + sum(len(item) for item in value if isinstance(item, str))
    return 0


def _capped(value: Any) -> Any:
    if _size(value) > OUTPUT_LIMIT:
        raise _Refused(f"the template makes a value longer than {OUTPUT_LIMIT} characters")
    return value


def _check_args(args: tuple, kwargs: dict) -> None:
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > INT_LIMIT:
            raise _Refused(f"numbers passed to a call or filter may be at most {INT_LIMIT}")
        _capped(arg)


def _bounded_range(*args: int) -> range:
    values = range(*args)
    if len(values) > RANGE_LIMIT:
        raise _Refused(f"range() may give at most {RANGE_LIMIT} numbers")
    return values


@jinja2.pass_context
def _loop_items(context: Any, value: Any) -> list:
    """Every `{% for %}` iterates through this: the whole loop is charged before its first item."""
    if _size(value) > OUTPUT_LIMIT:
        raise _Refused("the template loops over too many items")
    items = list(value)
    _charge(len(items))
    return items


@jinja2.pass_context
def _bounded_value(context: Any, value: Any) -> Any:
    """Every `~` passes its result through this, so doubling a string stops at the limit."""
    _charge()
    return _capped(value)


# Filters that cannot make a value explode from a small input; the others (format, xmlattr, pprint,
# safe, which would let a customer's name into the HTML unescaped) are not offered.
_FILTERS = (
    "abs capitalize center count d default dictsort e escape first float indent int join last length list lower "
    "map max min reject rejectattr replace reverse round select selectattr sort string striptags sum title trim "
    "truncate unique upper urlencode wordcount wordwrap"
).split()


# What Jinja passes to some filters ahead of the value; not the template's data.
_PASSED = (jinja2.runtime.Context, nodes.EvalContext, jinja2.Environment)


def _guarded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _charge()
        values = [arg for arg in args if not isinstance(arg, _PASSED)]
        _check_args(tuple(values), kwargs)
        if name == "replace" and len(values) >= 3 and isinstance(values[0], str):
            # Predict the result before making it: a short needle replaced by a long text grows fast.
            old, new = str(values[1]), str(values[2])
            grown = len(values[0]) + (values[0].count(old) if old else len(values[0]) + 1) * max(0, len(new) - len(old))
            if grown > OUTPUT_LIMIT:
                raise _Refused(f"the template makes a value longer than {OUTPUT_LIMIT} characters")
        return _capped(function(*args, **kwargs))

    guarded.__name__ = getattr(function, "__name__", name)
    # Keep what Jinja reads off the filter to decide what to pass it (context, eval context, environment).
    if hasattr(function, "jinja_pass_arg"):
        guarded.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return guarded


class _Guard(NodeTransformer):
    """Routes every loop and every `~` through the budget; in the HTML environment also escapes the
    template's own text, since the body is plain text in both parts."""

    def __init__(self, escape_text: bool):
        self.escape_text = escape_text

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_loop_items", [], [], None, None, lineno=node.iter.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, "_bounded_value", [], [], None, None, lineno=node.lineno)

    def _no_other_templates(self, node: nodes.Node) -> nodes.Node:
        # A message is one template: there is nothing to include, import or extend.
        tag = {"Include": "include", "Import": "import", "FromImport": "from ... import", "Extends": "extends"}[type(node).__name__]
        raise jinja2.TemplateSyntaxError(f"{{% {tag} %}} is not available in message templates", node.lineno)

    visit_Include = visit_Import = visit_FromImport = visit_Extends = _no_other_templates

    def visit_TemplateData(self, node: nodes.TemplateData) -> nodes.Node:
        if self.escape_text:
            node.data = str(escape(node.data))
        return node


def _refuse_format(*args: Any, **kwargs: Any) -> str:
    raise _Refused("str.format is not available in templates; use ~ and filters")


class _Environment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *, html: bool):
        super().__init__(
            undefined=jinja2.StrictUndefined,
            autoescape=html,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            cache_size=0,
            # A missing optional fact prints as nothing, never as "None".
            finalize=lambda value: "" if value is None else value,
        )
        self._html = html
        self.globals.clear()
        self.globals["range"] = _bounded_range
        stock = self.filters
        self.filters = {name: _guarded_filter(name, stock[name]) for name in _FILTERS}
        self.filters["_loop_items"] = _loop_items
        self.filters["_bounded_value"] = _bounded_value

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        return _Guard(self._html).visit(tree)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if super().wrap_str_format(value) is None:
            return None
        return _refuse_format

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        _charge()
        if __obj is not _bounded_range:
            _check_args(args, kwargs)
        return _capped(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _charge()
        if operator == "%" and isinstance(left, str):
            raise _Refused("% formatting of text is not available in templates; use ~ and filters")
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and max(1, abs(left).bit_length()) * right > 4096:
                raise _Refused("the template computes a number too large")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(count, int) and not isinstance(count, bool) and _size(sequence) * max(count, 0) > OUTPUT_LIMIT:
                    raise _Refused(f"the template makes a value longer than {OUTPUT_LIMIT} characters")
        if operator == "+" and _size(left) + _size(right) > OUTPUT_LIMIT:
            raise _Refused(f"the template makes a value longer than {OUTPUT_LIMIT} characters")
        return _capped(super().call_binop(context, operator, left, right))


_TEXT = _Environment(html=False)
_HTML = _Environment(html=True)


def _line_of(error: BaseException, filename: str) -> int | None:
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename]
    return lines[-1] if lines else None


def compile_part(source: str, part: str, html: bool = False) -> jinja2.Template:
    """One part of a template (`subject` or `body`), compiled; a syntax error names its line."""
    environment = _HTML if html else _TEXT
    try:
        return environment.template_class.from_code(
            environment, environment.compile(source, name=part, filename=f"<{part}>"), environment.make_globals(None), None
        )
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(error.message or "syntax error", part, error.lineno) from None
    except (RecursionError, MemoryError):
        raise TemplateError("the template is nested too deeply", part) from None


_PROBLEMS: tuple[tuple[type[BaseException], Callable[[BaseException], str]], ...] = (
    (_Refused, str),
    (jinja2.exceptions.SecurityError, lambda error: f"not allowed: {error}"),
    (jinja2.UndefinedError, lambda error: f"{error} (see the documented variables)"),
    (RecursionError, lambda error: "the template calls itself too deeply"),
    (MemoryError, lambda error: "the template needs too much memory"),
)


def render_part(template: jinja2.Template, part: str, variables: dict[str, Any], deadline: float) -> str:
    """Renders within the budget; the output stops at OUTPUT_LIMIT characters with a TemplateError."""
    token = _budget.set(_Budget(deadline))
    try:
        pieces: list[str] = []
        produced = 0
        for piece in template.generate(variables):
            produced += len(piece)
            if produced > OUTPUT_LIMIT:
                raise _Refused(f"the {part} renders to more than {OUTPUT_LIMIT} characters")
            pieces.append(piece)
        return "".join(pieces)
    except TemplateError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of the bank's template is the template's problem
        problem = next((say(error) for kind, say in _PROBLEMS if isinstance(error, kind)), None)
        if problem is None:
            problem = f"{type(error).__name__}: {error}"
        raise TemplateError(problem, part, _line_of(error, f"<{part}>")) from None
    finally:
        _budget.reset(token)


_URL = re.compile(r"https?://(?:(?!&#34;|&#39;|&lt;|&gt;|&quot;)[^\s<>\"'])+")


def _linkify(escaped_line: str) -> str:
    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        trail = ""
        while url and url[-1] in ".,;:!?)":
            url, trail = url[:-1], url[-1] + trail
        return f'<a href="{url}" style="color:#0b5cad">{url}</a>{trail}'

    return _URL.sub(link, escaped_line)


def tidy(text: str) -> str:
    """Line ends unified, trailing spaces gone, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def one_line(text: str) -> str:
    return " ".join(text.split())


def html_document(escaped_body: str, subject: str, language: str) -> str:
    """The escaped body as paragraphs (blank lines) and line breaks, in a small inline-styled page."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", tidy(escaped_body).strip()):
        if block.strip():
            lines = "<br>\n".join(_linkify(line) for line in block.split("\n"))
            paragraphs.append(f'<p style="margin:0 0 1em 0">{lines}</p>')
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(subject)}</title>\n</head>\n"
        '<body style="margin:0;padding:24px;background:#ffffff;color:#1a1a1a;'
        'font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5">\n'
        '<div style="max-width:600px">\n' + "\n".join(paragraphs) + "\n</div>\n</body>\n</html>\n"
    )
