"""Generates ``codex_manager/v1/views.py``: one typed, read-only view class
(``codex_manager._view.View``) per API message that the SDK hands back, from
the descriptors of protos/ with their comments (which become docstrings).

Called by generate_protos.py; never edit the output by hand.
"""

from __future__ import annotations

import keyword
import textwrap

from google.protobuf import descriptor_pb2

F = descriptor_pb2.FieldDescriptorProto
PACKAGE = ".codex_manager.v1."
TIMESTAMP = ".google.protobuf.Timestamp"
SCALARS = {
    F.TYPE_STRING: "str", F.TYPE_BOOL: "bool", F.TYPE_BYTES: "bytes",
    F.TYPE_DOUBLE: "float", F.TYPE_FLOAT: "float",
    F.TYPE_INT32: "int", F.TYPE_INT64: "int", F.TYPE_UINT32: "int", F.TYPE_UINT64: "int",
    F.TYPE_SINT32: "int", F.TYPE_SINT64: "int", F.TYPE_FIXED32: "int", F.TYPE_FIXED64: "int",
    F.TYPE_SFIXED32: "int", F.TYPE_SFIXED64: "int",
}
# Enums of the API and their Python twins in codex_manager.enums.
ENUMS = ("SessionState", "TurnState", "ApprovalKind", "ApprovalState", "Decision",
         "EventType", "Role", "GoalStatus", "CodexLoginMethod", "CodexLoginState")


def wanted(name: str) -> bool:
    """Messages the SDK hands back: not requests, not list pages."""
    return not name.endswith("Request") and not (name.startswith("List")
                                                 and name.endswith("Response"))


def comments(file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    out = {}
    for location in file.source_code_info.location:
        text = location.leading_comments.strip() or location.trailing_comments.strip()
        if text:
            out[tuple(location.path)] = " ".join(line.strip() for line in text.splitlines())
    return out


def docstring(text: str, indent: str) -> list[str]:
    text = text.replace("\\", "\\\\").replace('"""', "'''")
    lines = textwrap.wrap(text, 88 - len(indent) - 6, break_on_hyphens=False) or [""]
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *[f"{indent}{line}" for line in lines[1:]], f'{indent}"""']


class Generator:
    def __init__(self, files: list[descriptor_pb2.FileDescriptorProto]) -> None:
        self.files = [f for f in files if f.package == "codex_manager.v1"]
        self.modules: dict[str, str] = {}  # message full name -> pb2 module
        self.maps: set[str] = set()
        for f in self.files:
            module = f.name.rsplit("/", 1)[-1].removesuffix(".proto") + "_pb2"
            for message in f.message_type:
                self.modules[PACKAGE + message.name] = module
                for nested in message.nested_type:
                    if nested.options.map_entry:
                        self.maps.add(f"{PACKAGE}{message.name}.{nested.name}")

    def field(self, field: F, doc: str) -> tuple[list[str], str]:
        """The property of one field, and its type."""
        name = field.name + ("_" if keyword.iskeyword(field.name) else "")
        raw = f"self._proto.{field.name}"
        has = f'self._proto.HasField("{field.name}")'
        repeated = field.label == F.LABEL_REPEATED
        if field.type == F.TYPE_MESSAGE and field.type_name in self.maps:
            kind, value = "dict[str, str]", f"dict({raw})"
        elif field.type == F.TYPE_MESSAGE and field.type_name == TIMESTAMP:
            kind = "datetime.datetime | None"
            value = f"{raw}.ToDatetime(tzinfo=datetime.timezone.utc) if {has} else None"
        elif field.type == F.TYPE_MESSAGE:
            view = field.type_name.removeprefix(PACKAGE)
            if repeated:
                kind, value = f"tuple[{view}, ...]", f"tuple({view}(m) for m in {raw})"
            else:  # unset reads as the default message, as in protobuf
                kind, value = view, f"{view}({raw})"
        elif field.type == F.TYPE_ENUM:
            enum = field.type_name.removeprefix(PACKAGE)
            if enum not in ENUMS:
                raise SystemExit(f"enum {enum} has no twin in codex_manager.enums")
            if repeated:
                kind, value = f"tuple[{enum}, ...]", f"tuple({enum}(v) for v in {raw})"
            else:
                kind, value = enum, f"{enum}({raw})"
        else:
            scalar = SCALARS[field.type]
            if repeated:
                kind, value = f"tuple[{scalar}, ...]", f"tuple({raw})"
            elif field.proto3_optional:
                kind, value = f"{scalar} | None", f"{raw} if {has} else None"
            else:
                kind, value = scalar, raw
        lines = ["    @property", f"    def {name}(self) -> {kind}:"]
        if doc:
            lines += docstring(doc, "        ")
        lines.append(f"        return {value}")
        return lines, kind

    def message(self, file_index: int, index: int, message: descriptor_pb2.DescriptorProto,
                docs: dict[tuple[int, ...], str]) -> list[str]:
        module = self.modules[PACKAGE + message.name]
        out = [f"class {message.name}(View[{module}.{message.name}]):"]
        out += docstring(docs.get((4, index), f"The API's {message.name} message."), "    ")
        names = [f.name + ("_" if keyword.iskeyword(f.name) else "") for f in message.field]
        fields = "".join(repr(n) + ", " for n in names)
        out += ["", "    __slots__ = ()", f"    _FIELDS = ({fields})"]
        oneofs: dict[int, list[tuple[str, str]]] = {}
        for i, field in enumerate(message.field):
            lines, kind = self.field(field, docs.get((4, index, 2, i), ""))
            out += ["", *lines]
            if field.HasField("oneof_index") and not field.proto3_optional:
                oneofs.setdefault(field.oneof_index, []).append((field.name, kind))
        for oneof_index, members in oneofs.items():
            oneof = message.oneof_decl[oneof_index].name
            kinds = " | ".join(sorted({k for _, k in members}))
            out += ["", "    @property", f"    def {oneof}_case(self) -> str | None:",
                    f'        """Which field of `{oneof}` is set, or None."""',
                    f'        return self._proto.WhichOneof("{oneof}")',
                    "", "    @property", f"    def {oneof}(self) -> {kinds} | None:",
                    f'        """The field of `{oneof}` that is set, or None."""',
                    f"        case = self.{oneof}_case",
                    "        return None if case is None else getattr(self, case)"
                    "  # type: ignore[no-any-return]"]
        return out

    def generate(self) -> str:
        body: list[str] = []
        names: list[str] = []
        for file_index, f in enumerate(self.files):
            docs = comments(f)
            for index, message in enumerate(f.message_type):
                if wanted(message.name):
                    body += ["", "", *self.message(file_index, index, message, docs)]
                    names.append(message.name)
        modules = sorted({self.modules[PACKAGE + n] for n in names})
        head = [
            '"""Typed, read-only views of the API\'s messages (codex_manager._view.View).',
            "",
            "Generated from protos/ by clients/python/scripts/generate_views.py; do not edit.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
            "import datetime",
            "",
            "from codex_manager._view import View",
            f"from codex_manager.enums import {', '.join(sorted(ENUMS))}",
            f"from codex_manager.v1 import {', '.join(modules)}",
            "",
            f"__all__ = [{', '.join(repr(n) for n in sorted(names))}]",
        ]
        return "\n".join(head + body) + "\n"


def generate_views(descriptor_set: bytes) -> str:
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set).file
    return Generator(list(files)).generate()
