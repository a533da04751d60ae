// libFuzzer target: the bytes a browser sends codex-manager-web, through the
// proxy's hand-written gRPC-Web code (web-proxy/grpc_web.h): base64 text
// decoded across arbitrary chunk boundaries, frame decoding, content types,
// grpc-timeout and metadata values; and the static files' request headers
// (web-proxy/static_files.h: Accept-Encoding, If-None-Match). Besides not
// crashing, round trips must hold: Base64Encode then decode, and EncodeFrame
// then decode, give the input back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "grpc_web.h"
#include "static_files.h"

namespace web = codex_manager::web;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // First byte: where to cut the rest into chunks.
  const size_t cut = data[0];
  const absl::string_view input(reinterpret_cast<const char*>(data) + 1,
                                size - 1);

  // Base64 text body, fed in chunks of `cut + 1` bytes.
  web::Base64StreamDecoder text;
  std::string decoded;
  bool ok = true;
  for (size_t pos = 0; pos < input.size() && ok; pos += cut + 1) {
    ok = text.Feed(input.substr(pos, cut + 1), &decoded).ok();
  }

  // Frames, from the raw input and from what the base64 gave.
  for (absl::string_view bytes : {input, absl::string_view(decoded)}) {
    web::FrameDecoder frames;
    frames.max_frame_bytes = 1 << 20;
    std::vector<web::Frame> out;
    for (size_t pos = 0; pos < bytes.size(); pos += cut + 1) {
      if (!frames.Feed(bytes.substr(pos, cut + 1), &out).ok()) break;
    }
  }

  // Round trips.
  web::Base64StreamDecoder back;
  std::string again;
  if (!back.Feed(web::Base64Encode(input), &again).ok() || again != input ||
      !back.AtBoundary()) {
    std::abort();
  }
  web::FrameDecoder frames;
  frames.max_frame_bytes = 1 << 20;
  std::vector<web::Frame> out;
  if (input.size() <= (1 << 20)) {
    const std::string frame = web::EncodeFrame(data[0], input);
    if (!frames.Feed(frame, &out).ok() || out.size() != 1 ||
        out[0].payload != input || out[0].flags != data[0]) {
      std::abort();
    }
  }

  // Header values.
  (void)web::ParseContentType(input);
  (void)web::ParseGrpcTimeout(input);
  (void)web::MetadataValue("x-trace-bin", input);
  (void)web::MetadataValue("x-trace", input);
  (void)web::PercentEncode(input);
  (void)web::HeaderValue("x-trace-bin", input);
  (void)web::AcceptsGzip(input);
  const std::string tag = web::EntityTag(size, cut, /*gzip=*/false);
  // A tag always matches itself, listed anywhere.
  if (!web::NoneMatch(absl::StrCat(input, ",", tag), tag)) std::abort();
  return 0;
}
