"""Model names, aliases and model URIs: one parser for every face.

URIs: ``name`` (the latest version), ``name/3``, ``name@alias``, and MLflow's forms
``models:/name/3``, ``models:/name@alias`` (``models:/name/latest`` too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidInput, InvalidModelUri

MAX_MODEL_NAME = 250
MAX_ALIAS = 250
MAX_VERSION = 2**31 - 1  # an INTEGER column: a larger number names no version
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_URI_FORMS = "name, name/3, name@alias, models:/name/3 or models:/name@alias"


def validate_model_name(name: object) -> str:
    if not isinstance(name, str):
        raise InvalidInput(f"a model name must be text, got {type(name).__name__} {name!r}")
    if not name:
        raise InvalidInput("a model name must not be empty; use letters, digits and _ - .")
    if len(name) > MAX_MODEL_NAME:
        raise InvalidInput(f"a model name has at most {MAX_MODEL_NAME} characters, got {len(name)}: "
                           f"{name[:40]!r}...")
    if not _NAME.fullmatch(name) or set(name) == {"."}:
        raise InvalidInput(f"model name {name!r} may use only letters, digits and _ - . "
                           "(e.g. churn-model or churn_model.v2)")
    return name


def validate_alias(alias: object) -> str:
    if not isinstance(alias, str):
        raise InvalidInput(f"an alias must be text, got {type(alias).__name__} {alias!r}")
    if len(alias) > MAX_ALIAS:
        raise InvalidInput(f"an alias has at most {MAX_ALIAS} characters, got {len(alias)}")
    if not alias.isidentifier():
        raise InvalidInput(f"alias {alias!r} is not a Python identifier: use letters, digits and _, "
                           "not starting with a digit (e.g. production, champion, stage_2)")
    if alias == "latest":
        raise InvalidInput("'latest' is not an alias: it always means the newest version; "
                           "choose another name (e.g. production)")
    return alias


def validate_version(version: object) -> int:
    """A version number (1, 2, 3 ...); text of digits is accepted for the faces."""
    if isinstance(version, str) and version.isdigit() and version.isascii():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidInput(f"a model version is a whole number from 1 up, got {version!r}")
    return version


@dataclass(frozen=True)
class ModelRef:
    """What a URI names: a model, and a version or an alias (neither: the latest version)."""

    name: str
    version: int | None = None
    alias: str | None = None

    def __str__(self) -> str:
        if self.version is not None:
            return f"{self.name}/{self.version}"
        if self.alias is not None:
            return f"{self.name}@{self.alias}"
        return self.name


def parse_model_uri(uri: object) -> ModelRef:
    if not isinstance(uri, str):
        raise InvalidModelUri(f"a model URI must be text ({_URI_FORMS}), got {type(uri).__name__}")
    text = uri.strip()
    if text.startswith("models:"):
        text = text[len("models:"):]
        if not text.startswith("/") or text.startswith("//"):
            raise InvalidModelUri(f"bad model URI {uri!r}: MLflow's form is models:/name/3 or models:/name@alias")
        text = text[1:]
    if not text:
        raise InvalidModelUri(f"empty model URI; use {_URI_FORMS}")
    name, version, alias = text, None, None
    if "@" in text:
        name, _, alias = text.partition("@")
        if not alias:
            raise InvalidModelUri(f"bad model URI {uri!r}: no alias after '@' (e.g. {name}@production)")
    elif "/" in text:
        name, _, number = text.partition("/")
        if number != "latest":
            if not (number.isascii() and number.isdigit()) or int(number) < 1:
                raise InvalidModelUri(f"bad model URI {uri!r}: {number!r} is not a version number "
                                      f"(e.g. {name}/3); use {_URI_FORMS}")
            version = int(number)
    try:
        validate_model_name(name)
        if alias is not None:
            if alias == "latest":
                return ModelRef(name)
            validate_alias(alias)
    except InvalidInput as exc:
        raise InvalidModelUri(f"bad model URI {uri!r}: {exc}") from None
    return ModelRef(name, version, alias)
