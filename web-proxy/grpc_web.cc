#include "grpc_web.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace codex_manager::web {

std::optional<Encoding> ParseContentType(absl::string_view content_type) {
  absl::string_view type = content_type.substr(0, content_type.find(';'));
  type = absl::StripAsciiWhitespace(type);
  const std::string lower = absl::AsciiStrToLower(type);
  if (lower == "application/grpc-web" ||
      lower == "application/grpc-web+proto") {
    return Encoding::kBinary;
  }
  if (lower == "application/grpc-web-text" ||
      lower == "application/grpc-web-text+proto") {
    return Encoding::kText;
  }
  return std::nullopt;
}

Encoding ResponseEncoding(Encoding request, absl::string_view accept) {
  if (request == Encoding::kText) return Encoding::kText;
  return absl::StrContains(absl::AsciiStrToLower(accept),
                           "application/grpc-web-text")
             ? Encoding::kText
             : Encoding::kBinary;
}

std::string ContentType(Encoding encoding) {
  return encoding == Encoding::kText ? "application/grpc-web-text+proto"
                                     : "application/grpc-web+proto";
}

std::string EncodeFrame(uint8_t flags, absl::string_view payload) {
  std::string out;
  out.reserve(5 + payload.size());
  const uint32_t n = static_cast<uint32_t>(payload.size());
  out.push_back(static_cast<char>(flags));
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(payload.data(), payload.size());
  return out;
}

absl::Status FrameDecoder::Feed(absl::string_view bytes,
                                std::vector<Frame>* out) {
  buffer_.append(bytes.data(), bytes.size());
  size_t pos = 0;
  while (buffer_.size() - pos >= 5) {
    const auto* p =
        reinterpret_cast<const unsigned char*>(buffer_.data() + pos);
    const size_t n = (size_t{p[1]} << 24) | (size_t{p[2]} << 16) |
                     (size_t{p[3]} << 8) | size_t{p[4]};
    if (n > max_frame_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("request message of ", n,
                       " bytes exceeds the limit of ", max_frame_bytes));
    }
    if (buffer_.size() - pos - 5 < n) break;
    out->push_back(Frame{p[0], buffer_.substr(pos + 5, n)});
    pos += 5 + n;
  }
  buffer_.erase(0, pos);
  return absl::OkStatus();
}

namespace {
bool IsBase64Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
}
}  // namespace

absl::Status Base64StreamDecoder::Feed(absl::string_view chunk,
                                       std::string* out) {
  pending_.append(chunk.data(), chunk.size());
  const size_t usable = pending_.size() / 4 * 4;
  size_t run_start = 0;
  for (size_t quad = 0; quad < usable; quad += 4) {
    int padding = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = pending_[quad + i];
      if (c == '=') {
        if (i < 2) return absl::InvalidArgumentError("base64: misplaced '='");
        ++padding;
      } else if (padding > 0 || !IsBase64Char(c)) {
        return absl::InvalidArgumentError(
            absl::StrCat("base64: invalid character at offset ", quad + i));
      }
    }
    // A padded quad ends a segment: decode the run up to here.
    if (padding > 0 || quad + 4 == usable) {
      std::string decoded;
      if (!absl::Base64Unescape(absl::string_view(pending_).substr(
                                    run_start, quad + 4 - run_start),
                                &decoded)) {
        return absl::InvalidArgumentError("base64: cannot decode");
      }
      out->append(decoded);
      run_start = quad + 4;
    }
  }
  pending_.erase(0, usable);
  return absl::OkStatus();
}

std::string Base64Encode(absl::string_view bytes) {
  return absl::Base64Escape(bytes);
}

std::string PercentEncode(absl::string_view message) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : message) {
    if (c < 0x20 || c > 0x7e || c == '%') {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string TrailerBlock(
    int status, absl::string_view message,
    const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::string out = absl::StrCat("grpc-status: ", status, "\r\n");
  if (!message.empty()) {
    absl::StrAppend(&out, "grpc-message: ", PercentEncode(message), "\r\n");
  }
  for (const auto& [name, value] : metadata) {
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  return out;
}

absl::StatusOr<absl::Duration> ParseGrpcTimeout(absl::string_view value) {
  if (value.size() < 2 || value.size() > 9) {
    return absl::InvalidArgumentError("grpc-timeout: malformed");
  }
  int64_t amount = 0;
  if (!absl::SimpleAtoi(value.substr(0, value.size() - 1), &amount) ||
      amount < 0) {
    return absl::InvalidArgumentError("grpc-timeout: malformed");
  }
  switch (value.back()) {
    case 'H':
      return absl::Hours(amount);
    case 'M':
      return absl::Minutes(amount);
    case 'S':
      return absl::Seconds(amount);
    case 'm':
      return absl::Milliseconds(amount);
    case 'u':
      return absl::Microseconds(amount);
    case 'n':
      return absl::Nanoseconds(amount);
    default:
      return absl::InvalidArgumentError("grpc-timeout: unknown unit");
  }
}

absl::Duration UpstreamTimeout(absl::Duration requested) {
  const absl::Duration slack =
      std::clamp(requested / 100, kMinDeadlineSlack, kMaxDeadlineSlack);
  return requested > slack ? requested - slack : absl::ZeroDuration();
}

absl::Status CheckRequestEncoding(absl::string_view grpc_encoding) {
  const absl::string_view encoding = absl::StripAsciiWhitespace(grpc_encoding);
  if (encoding.empty() || absl::EqualsIgnoreCase(encoding, "identity")) {
    return absl::OkStatus();
  }
  return absl::UnimplementedError(
      absl::StrCat("grpc-encoding \"", encoding,
                   "\" is not supported: send uncompressed messages "
                   "(grpc-accept-encoding: identity)"));
}

bool IsForwardedHeader(absl::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
          c == '.')) {
      return false;
    }
  }
  static constexpr absl::string_view kDropped[] = {"host",
                                                   "connection",
                                                   "content-length",
                                                   "content-type",
                                                   "accept",
                                                   "accept-encoding",
                                                   "accept-language",
                                                   "origin",
                                                   "referer",
                                                   "user-agent",
                                                   "te",
                                                   "trailer",
                                                   "transfer-encoding",
                                                   "upgrade",
                                                   "keep-alive",
                                                   "x-grpc-web",
                                                   "x-user-agent",
                                                   "cookie",
                                                   "cache-control",
                                                   "pragma",
                                                   "priority",
                                                   "dnt",
                                                   "x-forwarded-for"};
  for (absl::string_view dropped : kDropped) {
    if (name == dropped) return false;
  }
  return !absl::StartsWith(name, "grpc-") && !absl::StartsWith(name, "sec-") &&
         !absl::StartsWith(name, "proxy-") &&
         !absl::StartsWith(name, "access-control-");
}

std::string ForwardedFor(absl::string_view incoming,
                         absl::string_view address) {
  constexpr size_t kMaxIncomingBytes = 4096;
  const bool keep = !incoming.empty() && incoming.size() <= kMaxIncomingBytes &&
                    std::all_of(incoming.begin(), incoming.end(),
                                [](char c) { return c >= 0x20 && c <= 0x7e; });
  return keep ? absl::StrCat(incoming, ", ", address) : std::string(address);
}

std::optional<std::string> MetadataValue(absl::string_view name,
                                         absl::string_view value) {
  if (!absl::EndsWith(name, "-bin")) return std::string(value);
  std::string decoded;
  std::string padded(value);
  while (padded.size() % 4 != 0) padded.push_back('=');
  if (!absl::Base64Unescape(padded, &decoded)) return std::nullopt;
  return decoded;
}

std::string HeaderValue(absl::string_view name, absl::string_view value) {
  if (!absl::EndsWith(name, "-bin")) return std::string(value);
  std::string encoded = absl::Base64Escape(value);
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  return encoded;
}

bool IsForwardedResponseHeader(absl::string_view name) {
  static constexpr absl::string_view kDropped[] = {
      "connection", "keep-alive",     "proxy-connection", "te",
      "trailer",    "transfer-encoding", "upgrade",      "server",
      "date",       "content-type",   "content-length",   "via",
      "alt-svc"};
  for (absl::string_view dropped : kDropped) {
    if (name == dropped) return false;
  }
  // Of gRPC's reserved names only the rich error status passes; the proxy
  // writes grpc-status, grpc-message and grpc-accept-encoding itself.
  if (name == "grpc-status-details-bin") return true;
  return !name.empty() && name[0] != ':' && !absl::StartsWith(name, "grpc-");
}

}  // namespace codex_manager::web
