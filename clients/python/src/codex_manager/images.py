"""The image the agent generated, read from its item: Codex's image_gen
tool ends in an ``imageGeneration`` item, whose ITEM_COMPLETED event
carries where Codex saved the image on the server's machine
(``Item.text``), why none was made (``Item.error``), and, in
``Item.item_json``, the prompt it was made from (``revisedPrompt``) and, as
Codex 0.171's schema allows in place of a ``fileId``, the image itself
(``result``, base64).

    for event in client.events(session_id, follow=False):
        image = generated_image(event.item)
        if image and image.data:
            Path("out" + image.extension).write_bytes(image.data)

What the runtime sent is read defensively: anything of the wrong type
reads as absent, and nothing here raises.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from codex_manager.v1.views import Item

# The first bytes of the image formats recognised, their media types and
# file extensions.
_FORMATS = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF8", "image/gif", ".gif"),
)


@dataclass(frozen=True)
class GeneratedImage:
    """An image the agent generated, or tried to.

    ``path``: where Codex saved it, an absolute path on the server's
    machine ("" when none was made). ``error``: why none was made (the kind
    of Codex's ``failure``, e.g. ``"usageLimitExceeded"``; "" otherwise).
    ``prompt``: the prompt it was made from, as the image model revised it
    ("" when not said). ``data``: the image's bytes when the item carried
    them, else None; ``media_type`` and ``extension`` say what they are
    (``"image/png"``, ``".png"``; WebP too), "" when unknown.
    """

    path: str
    error: str = ""
    prompt: str = ""
    data: bytes | None = None
    media_type: str = ""
    extension: str = ""


def generated_image(item: Item) -> GeneratedImage | None:
    """The image an ``imageGeneration`` item is about; None for any other
    item (or an event without one: ``event.item`` reads as empty)."""
    if item.item_type != "imageGeneration":
        return None
    try:
        fields = json.loads(item.item_json) if item.item_json else {}
    except ValueError:
        fields = {}
    if not isinstance(fields, dict):
        fields = {}
    prompt = fields.get("revisedPrompt")
    data = _decoded(fields.get("result"))
    media_type, extension = _format_of(data) if data else ("", "")
    return GeneratedImage(path=item.text, error=item.error,
                          prompt=prompt if isinstance(prompt, str) else "",
                          data=data, media_type=media_type, extension=extension)


def _decoded(result: object) -> bytes | None:
    if not isinstance(result, str) or not result:
        return None
    try:
        return base64.b64decode(result, validate=True)
    except (binascii.Error, ValueError):
        return None  # not base64 (e.g. cut by the server's size limit)


def _format_of(data: bytes) -> tuple[str, str]:
    for magic, media_type, extension in _FORMATS:
        if data.startswith(magic):
            return media_type, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return "", ""
