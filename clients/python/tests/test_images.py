"""codex_manager.images: the image an imageGeneration item is about, read
from the item (Codex 0.171's schema shapes), and through the real server
from tests/fake_codex's tool turn."""

from __future__ import annotations

import base64
import json

from codex_manager import Client, EventType, GeneratedImage, TurnState, generated_image
from codex_manager.v1 import events_pb2
from codex_manager.v1.views import Item

# A 1x1 red PNG (tests/fake_codex RED_PIXEL_PNG).
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ"
                       "/pLvAAAAAElFTkSuQmCC")


def item(item_type: str = "imageGeneration", text: str = "", error: str = "",
         **fields: object) -> Item:
    return Item(events_pb2.Item(item_type=item_type, text=text, error=error,
                                item_json=json.dumps({"type": item_type, **fields})))


def test_an_image_item_reads_as_its_image() -> None:
    made = generated_image(item(text="/c/generated_images/red.png", status="completed",
                                result=base64.b64encode(PNG).decode(), revisedPrompt="a red dot"))
    assert made == GeneratedImage(path="/c/generated_images/red.png", prompt="a red dot",
                                  data=PNG, media_type="image/png", extension=".png")
    webp = b"RIFF\x24\x00\x00\x00WEBPVP8 "
    assert generated_image(item(text="/x.webp", result=base64.b64encode(webp).decode())) \
        == GeneratedImage(path="/x.webp", data=webp, media_type="image/webp", extension=".webp")
    # Saved, but not carried (a fileId instead): its path only.
    assert generated_image(item(text="/c/a.png", fileId="file_1")) == GeneratedImage(
        path="/c/a.png")
    # None made: why.
    assert generated_image(item(error="usageLimitExceeded", status="failed",
                                failure={"type": "usageLimitExceeded"})) \
        == GeneratedImage(path="", error="usageLimitExceeded")


def test_what_is_not_an_image_reads_as_absent() -> None:
    assert generated_image(item("agentMessage", text="hi")) is None
    assert generated_image(Item(events_pb2.Item())) is None  # an event without an item
    for result in ("not base64!", "iVBORw0KGgo…", 7, None, ["x"]):
        assert generated_image(item(text="/a.png", result=result)).data is None, result
    odd = generated_image(item(text="/a.bin", result=base64.b64encode(b"\x00\x01").decode()))
    assert (odd.data, odd.media_type, odd.extension) == (b"\x00\x01", "", "")
    broken = Item(events_pb2.Item(item_type="imageGeneration", text="/a.png", item_json="{nope"))
    assert generated_image(broken) == GeneratedImage(path="/a.png")
    assert generated_image(item(text="/a.png", revisedPrompt=5)).prompt == ""


def test_the_image_of_a_turn_through_the_server(client: Client, tmp_path) -> None:
    session = client.create_session(str(tmp_path))
    assert client.run_turn(session.session_id, "tools").state == TurnState.COMPLETED
    images = [image for e in client.events(session.session_id, follow=False)
              if e.type == EventType.ITEM_COMPLETED and (image := generated_image(e.item))]
    assert [(i.path, i.error, i.prompt, i.data, i.media_type) for i in images] == [
        ("/codex/generated_images/chart.png", "", "a chart of disk use", PNG, "image/png"),
        ("", "usageLimitExceeded", "", None, ""),
    ]
