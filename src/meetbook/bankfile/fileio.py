"""Reading and writing the bank definition file's text: YAML or JSON, every failure one line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from meetbook.core.errors import Invalid

_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
# Times and durations ("16:00:00", "7.00:00:00") on the way out.
_TIME_LIKE = re.compile(r"[0-9.]*:[0-9:.]*")


class _Loader(yaml.SafeLoader):
    """YAML 1.1 without its base-60 numbers: an unquoted `16:00:00` stays the text it looks like
    (safe_load makes it 57600, which was stored as 960 hours), and a key given twice is an error
    (safe_load silently keeps the last one)."""

    yaml_implicit_resolvers = {
        first: [(tag, re.compile(r"(?!.*:)" + rx.pattern, rx.flags) if tag in _NUMBERS else rx) for tag, rx in rules]
        for first, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"'{key_node.value}' is given twice", key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # e.g. the date 2026-02-30
            raise yaml.constructor.ConstructorError(None, None, f"cannot read {str(node.value)[:40]!r} ({exc})", node.start_mark) from None


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str):
    # Quoted, so that no YAML reader (nor a person copying the line) turns a time into a number.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if _TIME_LIKE.fullmatch(value) else None)


_Dumper.add_representer(str, _text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    keys = [k for k, _ in pairs]
    twice = next((k for k in keys if keys.count(k) > 1), None)
    if twice is not None:
        raise ValueError(f"'{twice}' is given twice")
    return dict(pairs)


def read_file(path: Path) -> Any:
    """The file's one document, or Invalid with a one-line reason (missing, binary, empty, malformed)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise Invalid(f"{path}: no such file") from None
    except IsADirectoryError:
        raise Invalid(f"{path} is a directory, not a bank definition file") from None
    except OSError as exc:
        raise Invalid(f"{path}: cannot read it ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path.name} is not a text file (not UTF-8 at byte {exc.start}); expected YAML or JSON") from None
    if not text.strip():
        raise Invalid(f"{path.name} is empty; expected a bank definition (YAML or JSON)")
    try:
        document = _parse(path, text)
    except RecursionError:  # both parsers recurse per level; a bank definition nests a handful deep
        raise Invalid(f"{path.name} nests lists or mappings too deeply to be a bank definition") from None
    if document is None:
        raise Invalid(f"{path.name} holds nothing but comments; expected a bank definition")
    return document


def _parse(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text, object_pairs_hook=_unique_keys)
        except json.JSONDecodeError as exc:
            raise Invalid(f"{path.name} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except ValueError as exc:  # a key given twice
            raise Invalid(f"{path.name} is not valid JSON: {exc}") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        raise Invalid(f"{path.name} is not valid YAML: {_yaml_problem(exc, text)}") from None


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: only its offset is known
        return f"line {text.count(chr(10), 0, exc.position) + 1}: unacceptable character #x{exc.character:04x}"
    mark = getattr(exc, "problem_mark", None)
    what = "; ".join(x for x in (getattr(exc, "context", None), getattr(exc, "problem", None)) if x) or str(exc)
    return f"line {mark.line + 1}, column {mark.column + 1}: {what}" if mark else " ".join(what.split())


def dump_text(data: Any, as_json: bool) -> str:
    if as_json:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
