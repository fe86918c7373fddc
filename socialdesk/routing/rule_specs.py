"""What a routing rule may say, checked before it is stored: fields, operators, values and actions.

A rule is data (JSON in `routing_rules`); these Pydantic models are the only way in, so a rule that is
stored always makes sense to the engine. A bad rule is refused with a message that names the part that
is wrong, e.g. ``conditions.0.value: sentiment is one of negative, neutral, positive (got 'angry')``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from socialdesk.core.errors import InvalidAction
from socialdesk.core.types import Intent, Priority, Sentiment

MAX_CONDITIONS = 20
MAX_ACTIONS = 10
MAX_LIST = 100

Op = Literal["is", "is_not", "in", "not_in", "contains_any", ">=", "<=", "exists"]
OPS: tuple[str, ...] = ("is", "is_not", "in", "not_in", "contains_any", ">=", "<=", "exists")

# How a field's values look; the kind decides the operators it takes and how values are compared.
Kind = Literal["choice", "bool", "score", "count", "code", "country", "text", "id", "tags", "ids", "keywords"]

FIELDS: dict[str, tuple[Kind, str]] = {
    "text": ("keywords", "keywords in the post's text (case and accents ignored, whole words)"),
    "sentiment": ("choice", "the post's sentiment"),
    "intent": ("choice", "what the customer wants"),
    "is_complaint": ("bool", "triage calls the post a complaint"),
    "urgency": ("score", "urgency from 0 to 1"),
    "language": ("code", "ISO 639-1 language code, e.g. es"),
    "topic": ("text", "the post's top topic"),
    "place_name": ("text", "the first place triage found"),
    "place_country": ("country", "ISO country code of that place, e.g. DE"),
    "network": ("code", "the network, e.g. x, facebook, email"),
    "channel_account_id": ("id", "the brand account it was addressed to (id)"),
    "is_private": ("bool", "a private message rather than a public post"),
    "followers": ("count", "the author's followers"),
    "customer_tags": ("tags", "the customer's tags"),
    "attribute": ("text", "a customer attribute (name it in key)"),
    "segment": ("ids", "the customer's segments (ids)"),
}
Field_ = Literal[
    "text",
    "sentiment",
    "intent",
    "is_complaint",
    "urgency",
    "language",
    "topic",
    "place_name",
    "place_country",
    "network",
    "channel_account_id",
    "is_private",
    "followers",
    "customer_tags",
    "attribute",
    "segment",
]

OPS_BY_KIND: dict[Kind, tuple[str, ...]] = {
    "choice": ("is", "is_not", "in", "not_in", "exists"),
    "code": ("is", "is_not", "in", "not_in", "exists"),
    "country": ("is", "is_not", "in", "not_in", "exists"),
    "text": ("is", "is_not", "in", "not_in", "exists"),
    "id": ("is", "is_not", "in", "not_in", "exists"),
    "bool": ("is", "exists"),
    "score": (">=", "<=", "exists"),
    "count": ("is", ">=", "<=", "exists"),
    "tags": ("is", "is_not", "in", "not_in", "contains_any", "exists"),
    "ids": ("is", "is_not", "in", "not_in", "contains_any", "exists"),
    "keywords": ("contains_any",),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "sentiment": tuple(s.value for s in Sentiment),
    "intent": tuple(i.value for i in Intent),
}
LIST_OPS = ("in", "not_in", "contains_any")

_CODE = re.compile(r"^[a-z0-9_-]{1,32}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

Scalar = str | int | float | bool


class SpecError(ValueError):
    """A value error that knows which part of its model is wrong, so the message can name it."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


class Condition(BaseModel):
    """One test on a post: `field op value` (and `key` for a customer attribute)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: Field_
    op: Op
    value: Any = None
    key: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Condition:
        kind = FIELDS[self.field][0]
        allowed = OPS_BY_KIND[kind]
        if self.op not in allowed:
            raise SpecError("op", f"{self.field} takes {', '.join(allowed)} (got {self.op!r})")
        if self.field == "attribute":
            if not self.key or not _KEY.match(self.key):
                raise SpecError("key", "name the customer attribute: letters, digits, _ . - (up to 64)")
        elif self.key is not None:
            raise SpecError("key", f"only attribute conditions take a key, not {self.field}")
        value = self.value
        if self.op == "exists":
            if value is None:
                value = True
            if not isinstance(value, bool):
                raise SpecError("value", "exists takes true or false")
        elif self.op in LIST_OPS:
            items = value if isinstance(value, list) else [value] if value not in (None, "") else []
            if not items:
                raise SpecError("value", f"{self.op} needs a list of values")
            if len(items) > MAX_LIST:
                raise SpecError("value", f"at most {MAX_LIST} values")
            value = [_scalar(self.field, kind, item) for item in items]
        else:
            value = _scalar(self.field, kind, value)
        object.__setattr__(self, "value", value)
        return self

    def describe(self) -> str:
        name = f"attribute {self.key}" if self.field == "attribute" else self.field
        if self.op == "exists":
            return f"{name} is {'known' if self.value else 'unknown'}"
        values = self.value if isinstance(self.value, list) else [self.value]
        shown = ", ".join(("true" if v else "false") if isinstance(v, bool) else str(v) for v in values)
        words = {"is_not": "is not", "not_in": "not in", "contains_any": "contains any of"}
        return f"{name} {words.get(self.op, self.op)} {shown}"


def _scalar(field: str, kind: Kind, value: Any) -> Scalar:
    """A value of the field's kind, normalised (codes lower case, countries upper case, text trimmed)."""
    if kind == "bool":
        if not isinstance(value, bool):
            raise SpecError("value", f"{field} is true or false (got {value!r})")
        return value
    if kind in ("score", "count", "id", "ids"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str):
                try:
                    value = float(value) if kind == "score" else int(value)
                except ValueError:
                    raise SpecError("value", f"{field} is a number (got {value!r})") from None
            else:
                raise SpecError("value", f"{field} is a number (got {value!r})")
        if kind == "score":
            if not 0 <= value <= 1:
                raise SpecError("value", f"{field} is between 0 and 1 (got {value})")
            return float(value)
        if value != int(value) or value < (0 if kind == "count" else 1):
            least = "a whole number, 0 or more" if kind == "count" else "a positive whole number"
            raise SpecError("value", f"{field} is {least} (got {value})")
        return int(value)
    if not isinstance(value, str) or not value.strip():
        raise SpecError("value", f"{field} needs a value")
    text = value.strip()
    if kind == "choice":
        choices = CHOICES[field]
        if text.lower() not in choices:
            raise SpecError("value", f"{field} is one of {', '.join(choices)} (got {value!r})")
        return text.lower()
    if kind == "code":
        if not _CODE.match(text.lower()):
            raise SpecError("value", f"{field} is a short code such as es or x (got {value!r})")
        return text.lower()
    if kind == "country":
        if not _COUNTRY.match(text.upper()):
            raise SpecError("value", f"{field} is a two-letter country code such as DE (got {value!r})")
        return text.upper()
    if len(text) > 200:
        raise SpecError("value", f"{field} values have at most 200 characters")
    return text


class SetTeam(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["set_team"]
    team_id: int = Field(ge=1)


class SetPriority(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["set_priority"]
    priority: Priority


class AddTags(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["add_tags"]
    tags: list[str] = Field(min_length=1, max_length=20)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        cleaned = list(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))
        if not cleaned:
            raise ValueError("name at least one tag")
        if any(len(t) > 100 for t in cleaned):
            raise ValueError("a tag has at most 100 characters")
        return cleaned


class Assign(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["assign"]
    agent_id: int = Field(ge=1)


TEMPLATE_VARIABLES = ("customer_name", "customer_handle", "brand", "case_id")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class AutoAcknowledge(BaseModel):
    """A first answer sent once per case, e.g. "Thanks {customer_name}, we're on it. ^{brand}"."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["auto_acknowledge"]
    text: str = Field(min_length=1, max_length=1000)

    @field_validator("text")
    @classmethod
    def _template(cls, text: str) -> str:
        text = text.strip()
        if not text:
            raise ValueError("write the acknowledgement's text")
        for name in _PLACEHOLDER.findall(text):
            if name not in TEMPLATE_VARIABLES:
                raise ValueError(
                    f"unknown variable {{{name}}}; use {', '.join('{' + v + '}' for v in TEMPLATE_VARIABLES)}"
                )
        if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
            raise ValueError("a { or } without its pair")
        return text


class Escalate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["escalate"]


class MarkSpam(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["mark_spam"]


Action = Annotated[
    SetTeam | SetPriority | AddTags | Assign | AutoAcknowledge | Escalate | MarkSpam,
    Field(discriminator="type"),
]
ACTION_TYPES = ("set_team", "set_priority", "add_tags", "assign", "auto_acknowledge", "escalate", "mark_spam")


def render_template(text: str, values: dict[str, str]) -> str:
    """Fill an acknowledgement's variables (checked when the rule was saved)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


class RuleSpec(BaseModel):
    """A whole rule as an admin writes it; `position` and counters are the store's business."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    enabled: bool = True
    match: Literal["all", "any"] = "all"
    conditions: list[Condition] = Field(default_factory=list, max_length=MAX_CONDITIONS)
    actions: list[Action] = Field(min_length=1, max_length=MAX_ACTIONS)
    stop: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("give the rule a name")
        return name.strip()

    @model_validator(mode="after")
    def _one_acknowledgement(self) -> RuleSpec:
        if sum(isinstance(a, AutoAcknowledge) for a in self.actions) > 1:
            raise SpecError("actions", "a rule sends at most one acknowledgement")
        return self


def parse_rule(data: Any) -> RuleSpec:
    """A checked rule, or InvalidAction whose message names every part that is wrong."""
    try:
        return RuleSpec.model_validate(data)
    except ValidationError as exc:
        raise InvalidAction(describe_errors(exc.errors())) from None


def describe_errors(errors: Sequence[Any]) -> str:
    messages = []
    for error in errors:
        loc = [str(part) for part in error["loc"]]
        # A discriminated union adds the action type to the path; the index says which action already.
        if len(loc) >= 3 and loc[0] == "actions" and loc[2] in ACTION_TYPES:
            del loc[2]
        cause = (error.get("ctx") or {}).get("error")
        message = str(error["msg"]).removeprefix("Value error, ")
        if isinstance(cause, SpecError):
            loc.append(cause.part)
            message = str(cause)
        if error["type"] == "too_short" and loc == ["actions"]:
            message = "a rule needs at least one action"
        elif error["type"] == "union_tag_invalid":
            message = f"type is one of {', '.join(ACTION_TYPES)}"
            loc.append("type")
        elif error["type"] == "union_tag_not_found":
            message = f"say the action's type: one of {', '.join(ACTION_TYPES)}"
            loc.append("type")
        messages.append(f"{'.'.join(loc) or 'rule'}: {message}")
    return "; ".join(messages)
