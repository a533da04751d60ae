// libFuzzer target: what a caller may put in x-forwarded-for, and the
// --trusted-proxies list, through server/auth/forwarded_for.h. Besides not
// crashing: the caller named is the peer itself or "ADDRESS via PEER" with
// ADDRESS an address in gRPC's form, and an address parsed, printed and
// parsed again is the same address.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "auth/forwarded_for.h"

namespace cm = codex_manager;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  (void)cm::TrustedProxies::Parse(input);

  static const cm::TrustedProxies* const proxies = [] {
    auto parsed =
        cm::TrustedProxies::Parse("127.0.0.1,10.0.0.0/8,fd00::/8,unix");
    if (!parsed.ok()) std::abort();
    return new cm::TrustedProxies(*parsed);
  }();
  for (absl::string_view peer :
       {"ipv4:127.0.0.1:40022", "ipv6:[fd00::1]:1", "unix:/run/cm.sock"}) {
    const std::string caller = proxies->CallerPeer(peer, input);
    if (caller == peer) continue;
    const std::string via = std::string(" via ") + std::string(peer);
    if (!absl::EndsWith(caller, via)) std::abort();
    const std::string address = caller.substr(0, caller.size() - via.size());
    if (!absl::StartsWith(address, "ipv4:") &&
        !absl::StartsWith(address, "ipv6:[")) {
      std::abort();
    }
    if (cm::ConnectionAddress(caller) != cm::ConnectionAddress(peer)) {
      std::abort();
    }
  }

  absl::StatusOr<cm::IpAddress> address = cm::IpAddress::Parse(input);
  if (address.ok()) {
    const std::string name = address->PeerName();
    absl::StatusOr<cm::IpAddress> again = cm::IpAddress::Parse(name.substr(5));
    if (!again.ok() || again->v6 != address->v6 ||
        again->bytes != address->bytes) {
      std::abort();
    }
  }
  return 0;
}
