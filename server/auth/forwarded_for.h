// Who called, when the call came through proxies: the address a proxy
// puts in `x-forwarded-for` is believed only when the connection comes
// from a proxy the operator trusts (--trusted-proxies), as nginx's
// real_ip module and Envoy's trusted hops do. The chain ("client, proxy1,
// proxy2", each proxy appending the address it saw) is read right to
// left; the first address not itself a trusted proxy is the caller's.
// Entries left of it are the caller's own claims and are ignored.
#ifndef CODEX_MANAGER_AUTH_FORWARDED_FOR_H_
#define CODEX_MANAGER_AUTH_FORWARDED_FOR_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace codex_manager {

// An IPv4 or IPv6 address; IPv4-mapped IPv6 addresses (::ffff:a.b.c.d)
// are their IPv4 address.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // the first 4 for IPv4

  // "203.0.113.7", "2001:db8::1", "[2001:db8::1]", or either with a port
  // ("203.0.113.7:443", "[2001:db8::1]:443"; the port is dropped).
  // INVALID_ARGUMENT for anything else.
  static absl::StatusOr<IpAddress> Parse(absl::string_view text);
  // gRPC's peer name without a port: "ipv4:203.0.113.7", "ipv6:[::1]".
  std::string PeerName() const;
};

// The address the connection came from, as gRPC names it but without its
// port: "ipv4:1.2.3.4:5" is "ipv4:1.2.3.4", "ipv6:[::1]:5" (or its
// percent-encoded form) "ipv6:[::1]", a forwarded caller ("X via PROXY",
// TrustedProxies::CallerPeer) PROXY's; other names ("unix:PATH") are
// returned as they are. What a caller writes in x-forwarded-for never
// changes it.
std::string ConnectionAddress(absl::string_view peer);

// The proxies whose `x-forwarded-for` is believed.
class TrustedProxies {
 public:
  // A comma-separated list of addresses ("127.0.0.1", "::1"), CIDR blocks
  // ("10.0.0.0/8", "fd00::/8") and `unix` (any unix-socket peer); empty:
  // none. INVALID_ARGUMENT naming the entry that is none of these.
  static absl::StatusOr<TrustedProxies> Parse(absl::string_view list);

  bool empty() const { return blocks_.empty() && !unix_; }

  // Whether gRPC's `peer` (e.g. "ipv4:127.0.0.1:50312") is a trusted proxy.
  bool TrustsPeer(absl::string_view peer) const;

  // The caller's peer name. `peer` unchanged when it is not a trusted
  // proxy or `forwarded_for` (the `x-forwarded-for` values, joined with
  // commas) is empty; else "ADDRESS via PEER", ADDRESS being the first
  // address from the right that is not a trusted proxy (the leftmost when
  // all are), in gRPC's form without a port: "ipv4:203.0.113.7 via
  // ipv4:127.0.0.1:50312". Reading stops at an entry that is not an
  // address (e.g. "unknown"); the address right of it is the caller's,
  // and with none, `peer` is returned unchanged. At most 32 entries are
  // read.
  std::string CallerPeer(absl::string_view peer,
                         absl::string_view forwarded_for) const;

 private:
  struct Block {
    IpAddress address;
    int prefix_bits = 0;
  };
  bool Trusts(const IpAddress& address) const;

  std::vector<Block> blocks_;
  bool unix_ = false;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_AUTH_FORWARDED_FOR_H_
