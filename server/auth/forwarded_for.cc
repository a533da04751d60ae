#include "auth/forwarded_for.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace codex_manager {
namespace {

constexpr int kMaxForwardedEntries = 32;
constexpr absl::string_view kVia = " via ";

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

// An address without a port or brackets.
absl::StatusOr<IpAddress> ParseBare(absl::string_view text) {
  const std::string host(text);
  IpAddress address;
  if (inet_pton(AF_INET, host.c_str(), address.bytes.data()) == 1) {
    return address;
  }
  if (inet_pton(AF_INET6, host.c_str(), address.bytes.data()) == 1) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0,    0,
                                            0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(address.bytes.data(), kMapped, sizeof kMapped) == 0) {
      std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
      std::fill(address.bytes.begin() + 4, address.bytes.end(), 0);
      return address;
    }
    address.v6 = true;
    return address;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not an IP address"));
}

// The address in gRPC's peer name ("ipv4:1.2.3.4:5", "ipv6:[::1]:5").
absl::StatusOr<IpAddress> PeerIp(absl::string_view peer) {
  absl::string_view ip = peer;
  if (!absl::ConsumePrefix(&ip, "ipv4:") &&
      !absl::ConsumePrefix(&ip, "ipv6:")) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", peer, "\" is not an IP peer"));
  }
  // Some gRPC releases percent-encode the brackets of an IPv6 peer.
  return IpAddress::Parse(
      absl::StrReplaceAll(ip, {{"%5B", "["}, {"%5D", "]"}}));
}

}  // namespace

absl::StatusOr<IpAddress> IpAddress::Parse(absl::string_view text) {
  if (absl::ConsumePrefix(&text, "[")) {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"[", text, "\" has no closing bracket"));
    }
    absl::string_view rest = text.substr(close + 1);
    if (!rest.empty() &&
        !(absl::ConsumePrefix(&rest, ":") && AllDigits(rest))) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"[", text, "\" is not an address and port"));
    }
    const absl::string_view inside = text.substr(0, close);
    if (!absl::StrContains(inside, ':')) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"[", text, "\": brackets hold IPv6 addresses"));
    }
    return ParseBare(inside);
  }
  if (std::count(text.begin(), text.end(), ':') == 1) {  // IPv4 and port
    const size_t colon = text.find(':');
    if (!AllDigits(text.substr(colon + 1))) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", text, "\" is not an address and port"));
    }
    // No colon left: only IPv4 can parse.
    return ParseBare(text.substr(0, colon));
  }
  return ParseBare(text);
}

std::string IpAddress::PeerName() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return v6 ? absl::StrCat("ipv6:[", text, "]") : absl::StrCat("ipv4:", text);
}

std::string ConnectionAddress(absl::string_view peer) {
  if (const size_t via = peer.find(kVia); via != absl::string_view::npos) {
    peer.remove_prefix(via + kVia.size());
  }
  absl::StatusOr<IpAddress> address = PeerIp(peer);
  return address.ok() ? address->PeerName() : std::string(peer);
}

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(absl::string_view list) {
  TrustedProxies proxies;
  for (absl::string_view entry :
       absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry == "unix") {
      proxies.unix_ = true;
      continue;
    }
    const auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--trusted-proxies: \"", entry, "\" ", why,
          " (addresses, CIDR blocks such as 10.0.0.0/8, or unix)"));
    };
    const size_t slash = entry.find('/');
    absl::StatusOr<IpAddress> address = ParseBare(entry.substr(0, slash));
    if (!address.ok()) return bad("is not an IP address");
    const int max_bits = address->v6 ? 128 : 32;
    int bits = max_bits;
    if (slash != absl::string_view::npos &&
        (!AllDigits(entry.substr(slash + 1)) ||
         !absl::SimpleAtoi(entry.substr(slash + 1), &bits) ||
         bits > max_bits)) {
      return bad(
          absl::StrCat("has a prefix length that is not 0 to ", max_bits));
    }
    proxies.blocks_.push_back(Block{*address, bits});
  }
  return proxies;
}

bool TrustedProxies::Trusts(const IpAddress& address) const {
  for (const Block& block : blocks_) {
    if (block.address.v6 != address.v6) continue;
    const int whole = block.prefix_bits / 8;
    const int rest = block.prefix_bits % 8;
    if (std::memcmp(block.address.bytes.data(), address.bytes.data(), whole) !=
        0) {
      continue;
    }
    if (rest == 0) return true;
    const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
    if ((block.address.bytes[whole] & mask) == (address.bytes[whole] & mask)) {
      return true;
    }
  }
  return false;
}

bool TrustedProxies::TrustsPeer(absl::string_view peer) const {
  if (absl::StartsWith(peer, "unix:")) return unix_;
  absl::StatusOr<IpAddress> address = PeerIp(peer);
  return address.ok() && Trusts(*address);
}

std::string TrustedProxies::CallerPeer(absl::string_view peer,
                                       absl::string_view forwarded_for) const {
  if (forwarded_for.empty() || !TrustsPeer(peer)) return std::string(peer);
  std::optional<IpAddress> caller;
  absl::string_view rest = forwarded_for;
  for (int read = 0; read < kMaxForwardedEntries; ++read) {
    const size_t comma = rest.rfind(',');
    const absl::string_view entry =
        comma == absl::string_view::npos ? rest : rest.substr(comma + 1);
    absl::StatusOr<IpAddress> address =
        IpAddress::Parse(absl::StripAsciiWhitespace(entry));
    if (!address.ok()) break;
    caller = *address;
    if (!Trusts(*address) || comma == absl::string_view::npos) break;
    rest = rest.substr(0, comma);
  }
  if (!caller) return std::string(peer);
  return absl::StrCat(caller->PeerName(), kVia, peer);
}

}  // namespace codex_manager
