"""One small exception tree. Every error a user can cause is a KBError with a
status (HTTP-style) and one clear sentence; the CLI and the web app each
handle it in one place."""

from __future__ import annotations

from dataclasses import dataclass, field


class KBError(Exception):
    """Base error: a human message and an HTTP-style status."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def to_dict(self) -> dict:
        return {"errors": [{"field": None, "message": self.message}]}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: which record, which field, what value, why."""

    message: str
    record: str | None = None  # local id or IRI
    field: str | None = None  # YAML key or property
    value: str | None = None
    kind: str | None = None  # claim, dispute, source, agent, topic, quote

    def __str__(self) -> str:
        where = " ".join(
            part
            for part in (
                f"{self.kind} {self.record!r}" if self.kind and self.record else self.record,
                f"field {self.field!r}" if self.field else None,
            )
            if part
        )
        value = f" (value: {self.value!r})" if self.value not in (None, "") else ""
        return f"{where}: {self.message}{value}" if where else f"{self.message}{value}"

    def to_dict(self) -> dict:
        return {
            "record": self.record,
            "kind": self.kind,
            "field": self.field,
            "value": self.value,
            "message": self.message,
        }


class InvalidData(KBError):
    """The data does not conform: nothing was written. Carries every problem."""

    status = 422

    def __init__(self, problems: list[Problem], message: str | None = None):
        self.problems = list(problems)
        n = len(self.problems)
        if message is None:
            first = str(self.problems[0]) if self.problems else "invalid data"
            message = first if n == 1 else f"{n} problems, nothing was written; first: {first}"
        super().__init__(message)

    def to_dict(self) -> dict:
        return {"errors": [p.to_dict() for p in self.problems]}


class QueryError(KBError):
    """A query that is malformed or not allowed (updates, SERVICE, LOAD…)."""

    status = 400


class QueryTimeout(KBError):
    """A user's query stopped at the time limit (QUERY_TIMEOUT)."""

    status = 503

    def __init__(self, timeout: float):
        super().__init__(f"the query ran for {timeout:g} s without finishing and was stopped "
                         "(the QUERY_TIMEOUT setting); narrow it down, e.g. with fewer patterns or a LIMIT")
        self.timeout = timeout


class NotFound(KBError):
    status = 404


class Conflict(KBError):
    """An edit made from an older revision. ``changes`` lists what happened since
    (the versions made in between: who, when, triples added and removed)."""

    status = 409

    def __init__(self, message: str, *, expected: int | None = None, current: int | None = None,
                 changes: list | None = None):
        super().__init__(message)
        self.expected, self.current, self.changes = expected, current, changes

    def to_dict(self) -> dict:
        out = super().to_dict()
        if self.current is not None:
            out["errors"][0]["field"] = "version"
            out.update({"your_version": self.expected, "current_version": self.current,
                        "changes": self.changes or []})
        return out


@dataclass
class Report:
    """The outcome of a validation: conforms or a list of problems."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.problems

    def text(self) -> str:
        if self.conforms:
            return "Conforms: every record satisfies the shapes."
        lines = [f"Does not conform: {len(self.problems)} problem(s)."]
        lines += [f"- {p}" for p in self.problems]
        return "\n".join(lines)
