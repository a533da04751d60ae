// The image the agent generated, read from its item: Codex's image_gen
// tool ends in an `imageGeneration` item, whose ITEM_COMPLETED event says
// where Codex saved the image on the server's machine (Item.text), why
// none was made (Item.error), and, in Item.itemJson, the prompt it was
// made from (`revisedPrompt`) and, as Codex 0.171's schema allows in place
// of a `fileId`, the image itself (`result`, base64). What the runtime
// sent is read defensively: nothing here throws.
import type { Item } from "./gen/codex_manager/v1/events_pb.js";

export interface GeneratedImage {
  // Where Codex saved it, an absolute path on the server's machine ("" when
  // none was made).
  path: string;
  // Why none was made: the kind of Codex's `failure`, e.g.
  // "usageLimitExceeded" ("" otherwise).
  error: string;
  // The prompt it was made from, as the image model revised it ("" when
  // not said).
  prompt: string;
  // The image's bytes when the item carried them.
  data?: Uint8Array;
  // What the bytes are ("image/png", ".png"; JPEG, GIF and WebP too), ""
  // when unknown or absent.
  mediaType: string;
  extension: string;
}

// The first bytes of the formats recognised, their media types and file
// extensions (WebP: "RIFF", a size, "WEBP").
const FORMATS: [number[], string, string][] = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "image/png", ".png"],
  [[0xff, 0xd8, 0xff], "image/jpeg", ".jpg"],
  [[0x47, 0x49, 0x46, 0x38], "image/gif", ".gif"],
];

function formatOf(data: Uint8Array): [string, string] {
  const startsWith = (magic: number[], at = 0) => magic.every((b, i) => data[at + i] === b);
  for (const [magic, mediaType, extension] of FORMATS) {
    if (startsWith(magic)) return [mediaType, extension];
  }
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8)) {
    return ["image/webp", ".webp"];
  }
  return ["", ""];
}

function decoded(result: unknown): Uint8Array | undefined {
  if (typeof result !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(result) || result.length % 4 !== 0) {
    return undefined;  // not base64 (e.g. cut by the server's size limit)
  }
  return Uint8Array.from(atob(result), (c) => c.charCodeAt(0));
}

// The image an `imageGeneration` item is about; undefined for any other
// item, or none (an event's `item` payload when it has another).
export function generatedImage(item: Item | undefined): GeneratedImage | undefined {
  if (item?.itemType !== "imageGeneration") return undefined;
  let fields: { result?: unknown; revisedPrompt?: unknown } = {};
  try {
    const parsed: unknown = item.itemJson ? JSON.parse(item.itemJson) : {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) fields = parsed;
  } catch {
    // not JSON: its path and error still say what happened
  }
  const data = decoded(fields.result);
  const [mediaType, extension] = data ? formatOf(data) : ["", ""];
  return {
    path: item.text, error: item.error,
    prompt: typeof fields.revisedPrompt === "string" ? fields.revisedPrompt : "",
    ...(data ? { data } : {}), mediaType, extension,
  };
}
