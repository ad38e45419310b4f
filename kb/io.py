"""Reading YAML safely and choosing RDF formats.

YAML: PyYAML's safe loader (no object tags), with duplicate keys, anchors and
aliases refused, and a size cap. RDF files are parsed by pyoxigraph from the
bytes the caller read – never from a path or URL a user gave a parser.
"""

from __future__ import annotations

import yaml
from yaml.constructor import ConstructorError

from .errors import KBError, Problem

MAX_YAML_BYTES = 20 * 1024 * 1024

FORMAT_BY_SUFFIX = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nq",
    ".jsonld": "jsonld",
}
FORMAT_NAMES = {"yaml", "turtle", "trig", "nt", "nq", "jsonld"}

MEDIA_TYPES = {
    "turtle": "text/turtle; charset=utf-8",
    "trig": "application/trig; charset=utf-8",
    "nt": "application/n-triples; charset=utf-8",
    "nq": "application/n-quads; charset=utf-8",
    "jsonld": "application/ld+json; charset=utf-8",
}


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and anchors/aliases."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ConstructorError(
                None, None, "anchors and aliases (*name) are not allowed in imports", event.start_mark
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise ConstructorError(
                None, None, "anchors and aliases (&name) are not allowed in imports", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node):
        """A date YAML cannot make (2024-13-45) stays text, for the shapes to report with its field."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in seen:
                raise ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


def load_yaml(data: bytes | str, *, name: str = "input", max_bytes: int = MAX_YAML_BYTES):
    """Parse YAML text; raise InvalidData-like KBError naming the line."""
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > max_bytes:
        raise KBError(f"{name} is too large ({size:,} bytes; imports are at most {max_bytes:,} bytes)", status=413)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise KBError(f"{name} is not valid UTF-8 text (byte {e.start})") from e
    try:
        return yaml.load(data, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise KBError(f"{name} is not valid YAML{where}: {e.problem or e.context}") from e
    except yaml.YAMLError as e:
        raise KBError(f"{name} is not valid YAML: {e}") from e
    except RecursionError as e:
        raise KBError(f"{name} is nested too deeply") from e


def format_of(filename: str, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMAT_NAMES:
            raise KBError(f"unknown format {explicit!r} (expected one of: {', '.join(sorted(FORMAT_NAMES))})")
        return explicit
    lower = filename.lower()
    for suffix, fmt in FORMAT_BY_SUFFIX.items():
        if lower.endswith(suffix):
            return fmt
    raise KBError(
        f"cannot tell the format of {filename!r} from its name "
        "(use .yaml, .ttl, .trig, .nt, .nq or .jsonld, or give --format)"
    )


def problems_text(problems: list[Problem]) -> str:
    return "\n".join(f"- {p}" for p in problems)
