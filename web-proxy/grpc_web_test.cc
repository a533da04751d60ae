#include "grpc_web.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"

namespace codex_manager::web {
namespace {

TEST(ContentTypeTest, RecognizesTheFourGrpcWebTypes) {
  EXPECT_EQ(ParseContentType("application/grpc-web"), Encoding::kBinary);
  EXPECT_EQ(ParseContentType("application/grpc-web+proto"), Encoding::kBinary);
  EXPECT_EQ(ParseContentType("application/grpc-web-text"), Encoding::kText);
  EXPECT_EQ(ParseContentType("Application/GRPC-Web-Text+proto; charset=utf-8"),
            Encoding::kText);
  EXPECT_FALSE(ParseContentType("application/grpc-web+json").has_value());
  EXPECT_FALSE(ParseContentType("application/grpc").has_value());
  EXPECT_EQ(ResponseEncoding(Encoding::kBinary, "application/grpc-web-text"),
            Encoding::kText);
  EXPECT_EQ(ResponseEncoding(Encoding::kBinary, "*/*"), Encoding::kBinary);
  EXPECT_EQ(ResponseEncoding(Encoding::kText, ""), Encoding::kText);
}

TEST(FrameTest, EncodeAndDecodeAcrossAnyChunking) {
  std::string stream = EncodeFrame(kDataFrame, "hello") +
                       EncodeFrame(kDataFrame, "") +
                       EncodeFrame(kTrailerFrame, "grpc-status: 0\r\n");
  EXPECT_EQ(stream.substr(0, 5), std::string("\x00\x00\x00\x00\x05", 5));
  for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    FrameDecoder decoder;
    std::vector<Frame> frames;
    for (size_t i = 0; i < stream.size(); i += chunk) {
      ASSERT_TRUE(decoder.Feed(stream.substr(i, chunk), &frames).ok());
    }
    ASSERT_EQ(frames.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(frames[0].payload, "hello");
    EXPECT_EQ(frames[1].payload, "");
    EXPECT_EQ(frames[2].flags, kTrailerFrame);
    EXPECT_TRUE(decoder.AtBoundary());
  }
}

TEST(FrameTest, RefusesOversizedFrames) {
  FrameDecoder decoder;
  decoder.max_frame_bytes = 10;
  std::vector<Frame> frames;
  // GRPC's code for a message over the receive limit.
  EXPECT_EQ(decoder.Feed(EncodeFrame(0, std::string(11, 'x')), &frames).code(),
            absl::StatusCode::kResourceExhausted);
  FrameDecoder at_limit;
  at_limit.max_frame_bytes = 10;
  EXPECT_TRUE(at_limit.Feed(EncodeFrame(0, std::string(10, 'x')), &frames).ok());
}

TEST(Base64Test, DecodesPaddedSegmentsAcrossEveryChunkBoundary) {
  // Three frames encoded one by one, as servers flush them: padding inside.
  const std::string a = EncodeFrame(0, "a");        // 6 bytes -> "AAAAAAFh"
  const std::string b = EncodeFrame(0, "bc");       // 7 bytes -> padded "=="
  const std::string c = EncodeFrame(0x80, "xyz1");  // 9 bytes
  const std::string text = Base64Encode(a) + Base64Encode(b) + Base64Encode(c);
  ASSERT_NE(text.find('='), std::string::npos);
  for (size_t chunk = 1; chunk <= text.size(); ++chunk) {
    Base64StreamDecoder decoder;
    std::string bytes;
    for (size_t i = 0; i < text.size(); i += chunk) {
      ASSERT_TRUE(decoder.Feed(text.substr(i, chunk), &bytes).ok()) << chunk;
    }
    EXPECT_TRUE(decoder.AtBoundary());
    EXPECT_EQ(bytes, a + b + c) << "chunk " << chunk;
  }
}

TEST(Base64Test, RejectsGarbage) {
  std::string out;
  Base64StreamDecoder bad_char;
  EXPECT_FALSE(bad_char.Feed("AA*A", &out).ok());
  Base64StreamDecoder bad_pad;
  EXPECT_FALSE(bad_pad.Feed("A===", &out).ok());
  Base64StreamDecoder data_after_pad;
  EXPECT_FALSE(data_after_pad.Feed("AA=A", &out).ok());
  Base64StreamDecoder partial;
  EXPECT_TRUE(partial.Feed("QUJD", &out).ok());
  EXPECT_TRUE(partial.Feed("QQ", &out).ok());
  EXPECT_FALSE(partial.AtBoundary());
}

TEST(TrailerTest, StatusMessageAndMetadata) {
  EXPECT_EQ(TrailerBlock(0, "", {}), "grpc-status: 0\r\n");
  EXPECT_EQ(
      TrailerBlock(5, "session ses_1 not found", {{"x-request-id", "r1"}}),
      "grpc-status: 5\r\ngrpc-message: session ses_1 not found\r\n"
      "x-request-id: r1\r\n");
  EXPECT_EQ(PercentEncode("100% \xc3\xa9\n"), "100%25 %C3%A9%0A");
}

TEST(TimeoutTest, ParsesEveryUnit) {
  EXPECT_EQ(*ParseGrpcTimeout("1H"), absl::Hours(1));
  EXPECT_EQ(*ParseGrpcTimeout("2M"), absl::Minutes(2));
  EXPECT_EQ(*ParseGrpcTimeout("10S"), absl::Seconds(10));
  EXPECT_EQ(*ParseGrpcTimeout("250m"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseGrpcTimeout("99999999u"), absl::Microseconds(99999999));
  EXPECT_EQ(*ParseGrpcTimeout("5n"), absl::Nanoseconds(5));
  for (const char* bad : {"", "S", "10", "10x", "123456789S", "-1S"}) {
    EXPECT_FALSE(ParseGrpcTimeout(bad).ok()) << bad;
  }
}

TEST(MetadataTest, ForwardedForAppendsTheAddressSeen) {
  EXPECT_EQ(ForwardedFor("", "198.51.100.9"), "198.51.100.9");
  EXPECT_EQ(ForwardedFor("203.0.113.7", "127.0.0.1"), "203.0.113.7, 127.0.0.1");
  EXPECT_EQ(ForwardedFor("203.0.113.7, 10.0.0.1", "::1"),
            "203.0.113.7, 10.0.0.1, ::1");
  // A header that is not printable ASCII, or too long, is not passed on.
  EXPECT_EQ(ForwardedFor("203.0.113.7\x01", "127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(ForwardedFor("caf\xc3\xa9", "127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(ForwardedFor(std::string(4097, '1'), "127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(ForwardedFor(std::string(4096, '1'), "127.0.0.1"),
            std::string(4096, '1') + ", 127.0.0.1");
}

TEST(MetadataTest, ForwardsCustomHeadersOnly) {
  EXPECT_TRUE(IsForwardedHeader("x-request-id"));
  EXPECT_TRUE(IsForwardedHeader("authorization"));
  EXPECT_TRUE(IsForwardedHeader("trace-bin"));
  for (const char* name :
       {"host", "content-type", "grpc-timeout", "x-grpc-web", "origin",
        "sec-fetch-mode", "X-Upper", "bad name", "x-forwarded-for"}) {
    EXPECT_FALSE(IsForwardedHeader(name)) << name;
  }
  EXPECT_EQ(*MetadataValue("x-id", "abc"), "abc");
  EXPECT_EQ(*MetadataValue("trace-bin", "AAEC"),
            std::string("\x00\x01\x02", 3));
  EXPECT_EQ(*MetadataValue("trace-bin", "AAE"), std::string("\x00\x01", 2));
  EXPECT_FALSE(MetadataValue("trace-bin", "!!").has_value());
  EXPECT_EQ(*MetadataValue("trace-bin", "AAE="), std::string("\x00\x01", 2));
  EXPECT_EQ(HeaderValue("trace-bin", std::string("\x00\x01\x02", 3)), "AAEC");
  // Emitted unpadded, as the gRPC over HTTP/2 spec asks.
  EXPECT_EQ(HeaderValue("trace-bin", std::string("\x00\x01", 2)), "AAE");
  EXPECT_EQ(HeaderValue("trace-bin", std::string("\x00", 1)), "AA");
  EXPECT_EQ(HeaderValue("x-id", "v"), "v");
}

TEST(MetadataTest, ResponseHeadersLeaveOutHopByHopAndIdentity) {
  EXPECT_TRUE(IsForwardedResponseHeader("x-request-id"));
  EXPECT_TRUE(IsForwardedResponseHeader("trace-bin"));
  EXPECT_TRUE(IsForwardedResponseHeader("grpc-status-details-bin"));
  for (const char* name : {"server", "date", "connection", "transfer-encoding",
                           "content-type", "content-length", "grpc-status",
                           "grpc-accept-encoding", ":status", ""}) {
    EXPECT_FALSE(IsForwardedResponseHeader(name)) << name;
  }
}

TEST(TimeoutTest, UpstreamNeverGetsMoreThanAsked) {
  // {asked, what the upstream is given}: 1 % kept back, 2 ms to 1 s.
  const std::pair<absl::Duration, absl::Duration> cases[] = {
      {absl::Milliseconds(5), absl::Milliseconds(3)},
      {absl::Milliseconds(250), absl::Microseconds(247500)},
      {absl::Seconds(2), absl::Milliseconds(1980)},
      {absl::Seconds(20), absl::Milliseconds(19800)},
      {absl::Hours(1), absl::Seconds(3599)},
  };
  for (const auto& [asked, given] : cases) {
    EXPECT_EQ(UpstreamTimeout(asked), given) << asked;
  }
  EXPECT_EQ(UpstreamTimeout(absl::Nanoseconds(5)), absl::ZeroDuration());
}

TEST(EncodingTest, OnlyIdentityIsAccepted) {
  EXPECT_TRUE(CheckRequestEncoding("").ok());
  EXPECT_TRUE(CheckRequestEncoding("identity").ok());
  EXPECT_TRUE(CheckRequestEncoding(" Identity ").ok());
  EXPECT_EQ(CheckRequestEncoding("gzip").code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(CheckRequestEncoding("foo").code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace codex_manager::web
