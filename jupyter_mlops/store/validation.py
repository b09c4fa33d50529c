"""The rules for what a run may hold: names, tag values, notes, text, param values.

Every writer (the store, the tracking API's buffer, the REST API through the store) checks
with these, so a value refused by one face is refused by all, before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInput

MAX_NAME_LENGTH = 250
MAX_KEY_LENGTH = 250
MAX_TAG_VALUE_LENGTH = 5000  # as MLflow: a tag is a label; longer text goes in the note or an artifact
MAX_TAGS_PER_WRITE = 1000
MAX_NOTE_LENGTH = 100_000


def validate_name(kind: str, value: Any, *, max_length: int = MAX_NAME_LENGTH) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{kind} must be a string, got {type(value).__name__} {value!r}")
    if not value.strip():
        raise InvalidInput(f"{kind} must not be empty; give it a short descriptive name")
    if len(value) > max_length:
        raise InvalidInput(
            f"{kind} is {len(value)} characters long; the limit is {max_length}: {value[:40]!r}..."
        )
    return check_text(kind, value)


def check_text(kind: str, text: str) -> str:
    """Refuse text no database can store: a lone surrogate (half of a UTF-16 pair, what a
    wrong decoding leaves behind) is not a character and has no UTF-8 form."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidInput(
                f"{kind} holds {text[exc.start]!r} at position {exc.start}: a lone surrogate, not a "
                "character, which cannot be stored; decode the text properly (or with errors='replace')"
            ) from None
    return text


def check_tag(key: Any, value: Any) -> str:
    """A tag's value as stored (its text), after checking the name and the value."""
    validate_name("tag name", key, max_length=MAX_KEY_LENGTH)
    text = str(value)
    if len(text) > MAX_TAG_VALUE_LENGTH:
        raise InvalidInput(
            f"tag {key!r} is {len(text)} characters long; a tag value holds at most "
            f"{MAX_TAG_VALUE_LENGTH}: put long text in the run's note or log it as an artifact"
        )
    return check_text(f"tag {key!r}", text)


def check_note(note: Any) -> str:
    if not isinstance(note, str):
        raise InvalidInput(f"a note must be text, got {type(note).__name__}")
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            f"the note is {len(note)} characters long; a note holds at most {MAX_NOTE_LENGTH}: "
            "log longer text as an artifact"
        )
    return check_text("the note", note)



def jsonable_param(key: str, value: Any) -> Any:
    try:
        json.dumps(value, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"param {key!r} must be a JSON value (number, text, bool, None, list or dict), "
            f"got {type(value).__name__}: log repr(value) or str(value) if that is what you mean"
        ) from exc
    return check_text(f"param {key!r}", value) if isinstance(value, str) else value


def check_tag_count(tags: Mapping[str, Any]) -> None:
    """One call sets a bounded number of tags (the tracking writer's batches are not capped:
    what a run staged over time is always written)."""
    if len(tags) > MAX_TAGS_PER_WRITE:
        raise InvalidInput(f"{len(tags)} tags at once is too many: set at most {MAX_TAGS_PER_WRITE} per call")
