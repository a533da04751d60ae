"""What a USER_INPUT or MCP_ELICITATION approval asks a person, as
questions to answer with :meth:`codex_manager.Client.answer` (or by
returning the answers from an ``on_approval`` callback).

A USER_INPUT approval's questions come from its ``params_json`` (Codex
``item/tool/requestUserInput``, ToolRequestUserInputParams: ``id``,
``header``, ``question``, ``options``, ``isOther``, ``isSecret``); an
MCP_ELICITATION form's from its ``requested_schema_json`` (the JSON
Schema's ``properties``: ``title``, ``description``, ``enum`` or ``oneOf``
constants, ``boolean``, ``required``). Both are what the runtime sent:
anything of the wrong type reads as empty, and nothing here raises.

    for q in questions(approval):
        print(q.id, q.text, [o.label for o in q.options])
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from codex_manager.enums import ApprovalKind
from codex_manager.v1.views import Approval


@dataclass(frozen=True)
class Option:
    """A choice a question offers: its label (the answer's text) and what
    it means."""

    label: str
    description: str = ""


@dataclass(frozen=True)
class Question:
    """One question or form field.

    ``id`` is the answer's key (a question id, a form property name); an
    answer is one of ``options``' labels unless ``other`` (any text
    answers it). A ``secret`` one should not be echoed or logged; a
    ``required`` form field cannot be left out.
    """

    id: str
    header: str = ""
    text: str = ""
    options: tuple[Option, ...] = ()
    other: bool = True
    secret: bool = False
    required: bool = False


def _object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _str(obj: Any, key: str) -> str:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) else ""


def _list(obj: Any, key: str) -> list[Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, list) else []


def _user_input(params: dict[str, Any]) -> tuple[Question, ...]:
    out = []
    for q in _list(params, "questions"):
        if not _str(q, "id"):
            continue
        options = tuple(Option(_str(o, "label"), _str(o, "description"))
                        for o in _list(q, "options") if _str(o, "label"))
        out.append(Question(id=_str(q, "id"), header=_str(q, "header"),
                            text=_str(q, "question"), options=options,
                            other=not options or q.get("isOther") is True,
                            secret=q.get("isSecret") is True))
    return tuple(out)


def _form(schema: dict[str, Any]) -> tuple[Question, ...]:
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return ()
    required = {n for n in _list(schema, "required") if isinstance(n, str)}
    out = []
    for name, prop in properties.items():
        options = [Option(v) for v in _list(prop, "enum") if isinstance(v, str)]
        options += [Option(_str(o, "const"), _str(o, "title"))
                    for o in _list(prop, "oneOf") if _str(o, "const")]
        if _str(prop, "type") == "boolean":
            options = [Option("true"), Option("false")]
        out.append(Question(id=name, header=_str(prop, "title"), text=_str(prop, "description"),
                            options=tuple(options), other=not options,
                            required=name in required))
    return tuple(out)


def questions(approval: Approval) -> tuple[Question, ...]:
    """The questions of a USER_INPUT approval or the fields of an
    MCP_ELICITATION form, in the order the request lists them; none for
    other kinds."""
    if approval.kind == ApprovalKind.USER_INPUT:
        return _user_input(_object(approval.params_json))
    if approval.kind == ApprovalKind.MCP_ELICITATION:
        return _form(_object(approval.requested_schema_json))
    return ()
