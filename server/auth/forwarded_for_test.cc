#include "auth/forwarded_for.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace codex_manager {
namespace {

using ::testing::HasSubstr;

TrustedProxies Trusted(absl::string_view list) {
  absl::StatusOr<TrustedProxies> proxies = TrustedProxies::Parse(list);
  EXPECT_TRUE(proxies.ok()) << proxies.status();
  return proxies.ok() ? *proxies : TrustedProxies();
}

TEST(IpAddressTest, ParsesAddressesWithOrWithoutPorts) {
  EXPECT_EQ(IpAddress::Parse("203.0.113.7")->PeerName(), "ipv4:203.0.113.7");
  EXPECT_EQ(IpAddress::Parse("203.0.113.7:443")->PeerName(),
            "ipv4:203.0.113.7");
  EXPECT_EQ(IpAddress::Parse("2001:db8::1")->PeerName(), "ipv6:[2001:db8::1]");
  EXPECT_EQ(IpAddress::Parse("[2001:db8::1]")->PeerName(),
            "ipv6:[2001:db8::1]");
  EXPECT_EQ(IpAddress::Parse("[2001:db8::1]:443")->PeerName(),
            "ipv6:[2001:db8::1]");
  // IPv4-mapped: the IPv4 address (a dual-stack listener's IPv4 callers).
  EXPECT_EQ(IpAddress::Parse("::ffff:127.0.0.1")->PeerName(), "ipv4:127.0.0.1");
  for (absl::string_view bad :
       {"", "unknown", "203.0.113", "203.0.113.7:", "203.0.113.7:x",
        "[2001:db8::1", "[2001:db8::1]x", "[203.0.113.7]", "host.example",
        "_hidden", "2001:db8::1:443:x"}) {
    EXPECT_FALSE(IpAddress::Parse(bad).ok()) << bad;
  }
}

TEST(ConnectionAddressTest, DropsThePortAndIgnoresWhatWasForwarded) {
  EXPECT_EQ(ConnectionAddress("ipv4:10.0.0.7:50312"), "ipv4:10.0.0.7");
  EXPECT_EQ(ConnectionAddress("ipv6:[::1]:443"), "ipv6:[::1]");
  EXPECT_EQ(ConnectionAddress("ipv6:%5B::1%5D:443"), "ipv6:[::1]");
  EXPECT_EQ(ConnectionAddress("unix:/run/cm.sock"), "unix:/run/cm.sock");
  EXPECT_EQ(ConnectionAddress("ipv4:203.0.113.7 via ipv4:127.0.0.1:40022"),
            "ipv4:127.0.0.1");
}

TEST(TrustedProxiesTest, ParseNamesTheBadEntry) {
  EXPECT_TRUE(Trusted("").empty());
  EXPECT_FALSE(Trusted("unix").empty());
  EXPECT_FALSE(Trusted(" 127.0.0.1 , ::1, 10.0.0.0/8,fd00::/8 ").empty());
  for (absl::string_view bad :
       {"127.0.0.1:8080", "localhost", "10.0.0.0/33", "fd00::/129", "10.0.0.0/",
        "10.0.0.0/-1", "10.0.0.0/8x"}) {
    absl::StatusOr<TrustedProxies> proxies =
        TrustedProxies::Parse(absl::StrCat("::1,", bad));
    ASSERT_FALSE(proxies.ok()) << bad;
    EXPECT_EQ(proxies.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(proxies.status().message(),
                HasSubstr(absl::StrCat("--trusted-proxies: \"", bad, "\"")));
  }
}

TEST(TrustedProxiesTest, TrustsAddressesBlocksAndUnixSockets) {
  const TrustedProxies proxies = Trusted("127.0.0.1,10.1.0.0/16,fd00::/8");
  EXPECT_TRUE(proxies.TrustsPeer("ipv4:127.0.0.1:40022"));
  EXPECT_FALSE(proxies.TrustsPeer("ipv4:127.0.0.2:40022"));
  EXPECT_TRUE(proxies.TrustsPeer("ipv4:10.1.255.3:1"));
  EXPECT_FALSE(proxies.TrustsPeer("ipv4:10.2.0.3:1"));
  EXPECT_TRUE(proxies.TrustsPeer("ipv6:[fd12::5]:1"));
  EXPECT_TRUE(proxies.TrustsPeer("ipv6:%5Bfd12::5%5D:1"));
  EXPECT_FALSE(proxies.TrustsPeer("ipv6:[fe80::5]:1"));
  EXPECT_TRUE(proxies.TrustsPeer("ipv6:[::ffff:127.0.0.1]:1"));
  EXPECT_FALSE(proxies.TrustsPeer("unix:/run/cm.sock"));
  EXPECT_TRUE(Trusted("unix").TrustsPeer("unix:/run/cm.sock"));
  EXPECT_FALSE(Trusted("unix").TrustsPeer("ipv4:127.0.0.1:1"));
  // A block that is not on a byte boundary.
  const TrustedProxies odd = Trusted("192.168.4.0/22");
  EXPECT_TRUE(odd.TrustsPeer("ipv4:192.168.7.9:1"));
  EXPECT_FALSE(odd.TrustsPeer("ipv4:192.168.8.9:1"));
}

TEST(TrustedProxiesTest, CallerIsTheFirstUntrustedAddressFromTheRight) {
  const TrustedProxies proxies = Trusted("127.0.0.1,10.0.0.0/8");
  const std::string proxy = "ipv4:127.0.0.1:40022";
  struct Case {
    const char* forwarded_for;
    const char* caller;
  };
  for (const Case& c : {
           // What the proxy saw.
           Case{"198.51.100.9", "ipv4:198.51.100.9"},
           // Through two trusted proxies; what the caller itself claimed
           // (the left entries) is ignored.
           Case{"1.1.1.1, 198.51.100.9, 10.0.0.5", "ipv4:198.51.100.9"},
           // Header sent twice (joined with commas) and odd spacing.
           Case{"1.1.1.1,198.51.100.9 ,10.0.0.5", "ipv4:198.51.100.9"},
           Case{"[2001:db8::9]:5555", "ipv6:[2001:db8::9]"},
           // All trusted: the leftmost.
           Case{"10.0.0.9, 10.0.0.5", "ipv4:10.0.0.9"},
           // Reading stops at what is not an address: the one right of it.
           Case{"198.51.100.9, unknown, 10.0.0.5", "ipv4:10.0.0.5"},
       }) {
    EXPECT_EQ(proxies.CallerPeer(proxy, c.forwarded_for),
              absl::StrCat(c.caller, " via ", proxy))
        << c.forwarded_for;
  }
  EXPECT_EQ(proxies.CallerPeer(proxy, "unknown"), proxy);
  EXPECT_EQ(proxies.CallerPeer(proxy, ""), proxy);
  // Not from a trusted proxy: the header is the caller's own claim.
  EXPECT_EQ(proxies.CallerPeer("ipv4:198.51.100.1:5", "203.0.113.7"),
            "ipv4:198.51.100.1:5");
  EXPECT_EQ(TrustedProxies().CallerPeer(proxy, "203.0.113.7"), proxy);
}

TEST(TrustedProxiesTest, ReadsAtMost32Entries) {
  const TrustedProxies proxies = Trusted("10.0.0.0/8");
  std::string chain = "198.51.100.9";
  for (int i = 0; i < 40; ++i) absl::StrAppend(&chain, ", 10.0.0.", i);
  // The 32nd from the right is 10.0.0.8; the caller claimed further left
  // is never reached.
  EXPECT_EQ(proxies.CallerPeer("ipv4:10.9.9.9:1", chain),
            "ipv4:10.0.0.8 via ipv4:10.9.9.9:1");
}

}  // namespace
}  // namespace codex_manager
