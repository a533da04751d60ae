"""The base of the SDK's result types (``codex_manager.v1.views``): a
read-only, typed view of one API message.

Each view class is generated from protos/ (scripts/generate_views.py). Its
properties are the message's fields with Python types: enums as the
``codex_manager.enums`` members, timestamps as timezone-aware
``datetime`` (None when unset), optional scalars as None when unset, sub-messages
as views (an unset one reads as its defaults, as in protobuf; ``has()``
tells), repeated fields as tuples, maps as dicts. ``.proto`` is the message
itself, for anything the view does not cover.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

M = TypeVar("M", bound=Message)


class View(Generic[M]):
    """A read-only, typed view of one API message (``.proto``)."""

    __slots__ = ("_proto",)
    #: The property names, in field order (for repr).
    _FIELDS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, proto: M) -> None:
        self._proto = proto

    @property
    def proto(self) -> M:
        """The underlying protobuf message. Treat it as read-only: copy it
        (``CopyFrom``) before changing anything."""
        return self._proto

    def has(self, field: str) -> bool:
        """Whether a sub-message, optional or oneof field is set (protobuf
        ``HasField``); ValueError for a field without presence."""
        return bool(self._proto.HasField(field))

    def to_dict(self) -> dict[str, Any]:
        """The proto3 JSON mapping with the proto's field names
        (``turn_id``), enums by name, 64-bit integers as strings."""
        return json_format.MessageToDict(self._proto, preserving_proto_field_name=True)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self._proto == other._proto)  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # like the message: mutable

    def __repr__(self) -> str:
        shown = []
        for name in self._FIELDS:
            value = getattr(self, name)
            if isinstance(value, View) and not self._proto.HasField(name):
                continue  # an unset sub-message
            if value is None or (not value and not isinstance(value, View)):
                continue  # unset or the default
            shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"
