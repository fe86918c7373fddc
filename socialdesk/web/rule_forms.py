"""The routing rule form: rows of conditions and actions as form fields, to and from rule data.

Rows are numbered fields (`cond-0-field`, `cond-0-op`, `cond-0-value`, `act-0-type`, ...). A row
whose field or type is empty is left out, so a form with a few blank rows needs no script to grow.
Lists (for in, not in, contains any, tags) are written comma-separated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from socialdesk.routing.rule_specs import FIELDS, LIST_OPS, MAX_ACTIONS, MAX_CONDITIONS

SPARE_CONDITIONS = 2
SPARE_ACTIONS = 1
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def _flag(text: str) -> bool | str:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return text


def rule_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """Rule data (for `routing.rule_specs.parse_rule`) from the submitted form."""
    conditions: list[dict[str, Any]] = []
    for i in range(MAX_CONDITIONS + SPARE_CONDITIONS):
        field = form.get(f"cond-{i}-field", "").strip()
        if not field:
            continue
        op = form.get(f"cond-{i}-op", "").strip()
        raw = form.get(f"cond-{i}-value", "")
        value: Any
        field_kind = FIELDS.get(field, ("text", ""))[0]
        if op in LIST_OPS:
            value = [part.strip() for part in raw.split(",") if part.strip()]
        elif op == "exists":
            value = _flag(raw) if raw.strip() else True
        elif field_kind == "bool":
            value = _flag(raw)
        else:
            value = raw.strip()
        condition: dict[str, Any] = {"field": field, "op": op, "value": value}
        if field == "attribute":
            condition["key"] = form.get(f"cond-{i}-key", "").strip()
        conditions.append(condition)
    actions: list[dict[str, Any]] = []
    for i in range(MAX_ACTIONS + SPARE_ACTIONS):
        kind = form.get(f"act-{i}-type", "").strip()
        if not kind:
            continue
        action: dict[str, Any] = {"type": kind}
        if kind == "set_team":
            action["team_id"] = form.get(f"act-{i}-team_id", "").strip() or None
        elif kind == "set_priority":
            action["priority"] = form.get(f"act-{i}-priority", "").strip()
        elif kind == "add_tags":
            action["tags"] = [t.strip() for t in form.get(f"act-{i}-tags", "").split(",") if t.strip()]
        elif kind == "assign":
            action["agent_id"] = form.get(f"act-{i}-agent_id", "").strip() or None
        elif kind == "auto_acknowledge":
            action["text"] = form.get(f"act-{i}-text", "")
        actions.append(action)
    return {
        "name": form.get("name", ""),
        "enabled": form.get("enabled") == "on",
        "match": form.get("match", "all"),
        "conditions": conditions,
        "actions": actions,
        "stop": form.get("stop") == "on",
    }


def form_rows(data: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows: the rule's rows plus blank ones, values as the admin would type them."""
    conditions = []
    for c in data.get("conditions", []):
        value = c.get("value")
        if isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            shown = "true" if value else "false"
        else:
            shown = "" if value is None else str(value)
        conditions.append(
            {"field": c.get("field", ""), "op": c.get("op", ""), "value": shown, "key": c.get("key") or ""}
        )
    actions = []
    for a in data.get("actions", []):
        row = dict(a)
        if isinstance(row.get("tags"), list):
            row["tags"] = ", ".join(row["tags"])
        actions.append(row)
    conditions += [{"field": "", "op": "", "value": "", "key": ""}] * SPARE_CONDITIONS
    actions += [{"type": ""}] * SPARE_ACTIONS
    return {
        "name": data.get("name", ""),
        "enabled": data.get("enabled", True),
        "match": data.get("match", "all"),
        "stop": data.get("stop", False),
        "conditions": conditions[: MAX_CONDITIONS + SPARE_CONDITIONS],
        "actions": actions[: MAX_ACTIONS + SPARE_ACTIONS],
    }
