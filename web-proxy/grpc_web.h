// The gRPC-Web wire protocol (gRPC's doc/PROTOCOL-WEB.md), as pure
// functions: content types, message framing, the trailer frame, base64 text
// mode across arbitrary chunk boundaries, grpc-timeout, and the translation
// of HTTP headers to gRPC metadata and back. No I/O, no gRPC calls; the
// proxy (http_session.cc) composes them.
#ifndef CODEX_MANAGER_WEB_PROXY_GRPC_WEB_H_
#define CODEX_MANAGER_WEB_PROXY_GRPC_WEB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace codex_manager::web {

// How a request (or response) body is encoded.
enum class Encoding {
  kBinary,  // application/grpc-web, application/grpc-web+proto
  kText,    // application/grpc-web-text, application/grpc-web-text+proto
};

// The encoding of a gRPC-Web content type (parameters after ';' ignored);
// nullopt for anything else (including +json, which we do not translate).
std::optional<Encoding> ParseContentType(absl::string_view content_type);

// Whether the response must be text: the request was text, or its Accept
// header asks for application/grpc-web-text.
Encoding ResponseEncoding(Encoding request, absl::string_view accept);

// The content type of a response in `encoding`.
std::string ContentType(Encoding encoding);

// Frame flags: the most significant bit marks the trailer frame.
inline constexpr uint8_t kDataFrame = 0x00;
inline constexpr uint8_t kCompressedFlag = 0x01;
inline constexpr uint8_t kTrailerFrame = 0x80;

// A frame: 1 flag byte, 4-byte big-endian length, payload.
std::string EncodeFrame(uint8_t flags, absl::string_view payload);

struct Frame {
  uint8_t flags = 0;
  std::string payload;
};

// Splits a byte stream into frames, whatever the chunking.
class FrameDecoder {
 public:
  // Appends bytes; complete frames are moved into `out`.
  // RESOURCE_EXHAUSTED for a frame longer than `max_frame_bytes` (gRPC's
  // code for a message over the receive limit).
  absl::Status Feed(absl::string_view bytes, std::vector<Frame>* out);
  // True when no partial frame is left over.
  bool AtBoundary() const { return buffer_.empty(); }
  size_t max_frame_bytes = 16 << 20;

 private:
  std::string buffer_;
};

// Decodes base64 that arrives in arbitrary chunks, including padded
// segments in the middle of the stream (each frame may be encoded on its
// own, so "…==" can be followed by more base64).
class Base64StreamDecoder {
 public:
  // Appends the decoded bytes of `chunk` to `out`; INVALID_ARGUMENT on a
  // character outside the base64 alphabet or misplaced padding.
  absl::Status Feed(absl::string_view chunk, std::string* out);
  // True when no partial quad is left over.
  bool AtBoundary() const { return pending_.empty(); }

 private:
  std::string pending_;
};

// Standard base64 with padding: the body of a grpc-web-text response.
std::string Base64Encode(absl::string_view bytes);

// The trailer frame's payload: "name: value\r\n" lines, grpc-status and
// grpc-message (percent-encoded) first, then `metadata` (names already
// lower-case; values of "-bin" names already base64 when needed).
std::string TrailerBlock(
    int status, absl::string_view message,
    const std::vector<std::pair<std::string, std::string>>& metadata);

// grpc-message values are percent-encoded (gRPC over HTTP/2 spec).
std::string PercentEncode(absl::string_view message);

// "10S", "200m", "5000u" … (at most 8 digits and a unit of H M S m u n).
// INVALID_ARGUMENT otherwise.
absl::StatusOr<absl::Duration> ParseGrpcTimeout(absl::string_view value);

// The timeout to give the upstream call for a client's `grpc-timeout`:
// never more than asked. gRPC core turns a deadline back into the
// grpc-timeout it sends by subtracting a cached clock read, then rounds up
// to its unit (1 ms below 1 s, 10 ms from 1 s, 100 ms from 10 s, whole
// seconds from 100 s), so a deadline of exactly now + `requested` reaches
// the upstream as up to one unit more (2S as 2010m). How old that clock
// read is has no bound: about 1 ms on a quiet machine, evidently more than
// 2 ms under AddressSanitizer with both cores busy (the Connect conformance
// suite's deadline case once saw 2007 ms for 2000 with 2 ms kept back). So
// the proxy keeps back 1 % of the timeout, at least kMinDeadlineSlack and
// at most kMaxDeadlineSlack: 2S reaches the upstream as 1980m, or as 2S
// when that read is up to 20 ms old; 1H as 3599S.
inline constexpr absl::Duration kMinDeadlineSlack = absl::Milliseconds(2);
inline constexpr absl::Duration kMaxDeadlineSlack = absl::Seconds(1);
absl::Duration UpstreamTimeout(absl::Duration requested);

// The request's `grpc-encoding` (message compression, gRPC over HTTP/2
// spec): OK for none or "identity"; UNIMPLEMENTED for anything else, since
// the proxy neither decompresses nor forwards compressed messages. The
// response then says `grpc-accept-encoding: identity`.
absl::Status CheckRequestEncoding(absl::string_view grpc_encoding);

// Whether an HTTP request header is passed to the upstream as gRPC
// metadata as it is: lower-cased names made of [0-9a-z_.-], minus
// hop-by-hop, browser and gRPC-reserved headers, and x-forwarded-for (the
// proxy appends to it: ForwardedFor).
bool IsForwardedHeader(absl::string_view lower_name);

// The `x-forwarded-for` metadata sent upstream: the request's own header
// (the proxies before this one; several joined with ", ") with `address`,
// where this proxy saw the request come from, appended, as proxies do. A
// request header that is not printable ASCII, or is over 4 KiB, is
// dropped: `address` goes alone. The server believes it only from
// --trusted-proxies (server/auth/forwarded_for.h).
std::string ForwardedFor(absl::string_view incoming, absl::string_view address);

// A header value as gRPC metadata: base64-decoded for "-bin" names (padded
// or not); nullopt when such a value is not valid base64.
std::optional<std::string> MetadataValue(absl::string_view lower_name,
                                         absl::string_view value);

// A metadata value for an HTTP header or trailer line: unpadded base64 for
// "-bin" names (gRPC over HTTP/2 spec: "implementations MUST accept padded
// and un-padded values and should emit un-padded values").
std::string HeaderValue(absl::string_view lower_name, absl::string_view value);

// Whether upstream response metadata (lower-case name) becomes a response
// header or trailer for the browser: not hop-by-hop headers (RFC 9110
// section 7.6.1), not the upstream's own identity and framing (server,
// date, content-type, content-length, via) which the proxy sets itself,
// and not gRPC's reserved names other than grpc-status-details-bin.
bool IsForwardedResponseHeader(absl::string_view lower_name);

}  // namespace codex_manager::web

#endif  // CODEX_MANAGER_WEB_PROXY_GRPC_WEB_H_
