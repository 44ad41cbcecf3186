"""Scripted answers: override how the station answers a central-system call, for tests.

A :class:`ScriptedAnswer` replaces the default behaviour for one action, once or
always. ``status`` answers with that status and does nothing else; ``error`` answers
with a CALLERROR (OCPP-J 1.6 §4.2.3); ``response`` answers with exactly that payload;
``no_answer`` never answers (the central system's call times out). ``delay`` waits
before answering and may be combined with any of them, or used alone to delay the
default behaviour.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import msgspec

from csms.ocpp import ErrorKind, OcppVersion, error_code
from csms.ocpp.messages import v16


@dataclass(frozen=True, slots=True)
class ScriptedAnswer:
    """How to answer the next (or every) call of one action."""

    status: str | None = None
    error: ErrorKind | None = None
    description: str = ""
    response: msgspec.Struct | None = None
    delay: float = 0.0
    no_answer: bool = False
    always: bool = False

    def __post_init__(self) -> None:
        chosen = [self.status is not None, self.error is not None, self.response is not None]
        if sum(chosen) + int(self.no_answer) > 1:
            raise ValueError("choose at most one of status, error, response, no_answer")
        if self.delay < 0:
            raise ValueError("delay must not be negative")

    @property
    def replaces_default(self) -> bool:
        """True unless this answer only delays the default behaviour."""
        return self.status is not None or self.error is not None or self.response is not None


def scripted_answer(
    action: str,
    *,
    status: str | None = None,
    error: str | ErrorKind | None = None,
    description: str = "",
    response: msgspec.Struct | None = None,
    delay: float = 0.0,
    no_answer: bool = False,
    always: bool = False,
) -> ScriptedAnswer:
    """A checked answer for ``action``: raises ValueError for one the station cannot send."""
    if status is not None:
        response_type = v16.RESPONSES.get(action)
        if response_type is None:
            raise ValueError(f"{action!r} is not a 1.6 action")
        try:
            msgspec.convert({"status": status}, response_type)
        except msgspec.ValidationError as invalid:
            raise ValueError(f"{action}: cannot answer with status {status!r}") from invalid
    kind = None if error is None else error_kind(error)
    return ScriptedAnswer(status, kind, description, response, delay, no_answer, always)


def error_kind(code: str | ErrorKind) -> ErrorKind:
    """The ErrorKind for a CALLERROR code as 1.6 or 2.0.1 spells it (e.g. ``NotSupported``)."""
    if isinstance(code, ErrorKind):
        return code
    for kind in ErrorKind:
        if code in (kind.value, error_code(kind, OcppVersion.V16)):
            return kind
    raise ValueError(f"unknown OCPP error code {code!r}")


class Script:
    """Scripted answers by action; a once-answer is consumed, an always-answer stays."""

    def __init__(self) -> None:
        self._answers: dict[str, deque[ScriptedAnswer]] = {}

    def add(self, action: str, answer: ScriptedAnswer) -> None:
        """Queue ``answer`` for ``action``; once-answers are used in the order added."""
        self._answers.setdefault(action, deque()).append(answer)

    def take(self, action: str) -> ScriptedAnswer | None:
        """The answer for this call of ``action``, or None for the default behaviour."""
        answers = self._answers.get(action)
        if not answers:
            return None
        answer = answers[0]
        if not answer.always:
            answers.popleft()
        return answer

    def clear(self, action: str | None = None) -> None:
        """Forget the scripted answers of ``action``, or of every action."""
        if action is None:
            self._answers.clear()
        else:
            self._answers.pop(action, None)
