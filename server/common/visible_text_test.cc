#include "common/visible_text.h"

#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace codex_manager {
namespace {

TEST(VisibleTextTest, ControlCharactersAreShownNotObeyed) {
  // A command whose carriage return would hide its first half, and the
  // escape sequences that clear a line, retitle the window or color text.
  EXPECT_EQ(Visible("rm -rf ~\r\x1b[2Kecho hello"),
            "rm -rf ~^M^[[2Kecho hello");
  EXPECT_EQ(Visible("\x1b]0;title\x07"), "^[]0;title^G");
  EXPECT_EQ(Visible("a\bb\x7f\x01"), "a^Hb^?^A");
  // Tabs, newlines and "\r\n" line ends are text.
  EXPECT_EQ(Visible("a\tb\r\nc\n"), "a\tb\nc\n");
  EXPECT_EQ(Visible("progress\r"), "progress^M");
}

TEST(VisibleTextTest, C1ControlsAndBidiFormattingAreNamed) {
  // U+009B is a one-character CSI to a terminal that takes C1 controls;
  // U+202E reverses what follows (Trojan Source); U+2066 isolates it.
  EXPECT_EQ(Visible("a\xc2\x9b"
                    "2Jb"),
            "a<U+009B>2Jb");
  EXPECT_EQ(Visible("rm x \xe2\x80\xae"
                    "txt.exe"),
            "rm x <U+202E>txt.exe");
  EXPECT_EQ(Visible("\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c"),
            "<U+2066>x<U+2069><U+200F><U+061C>");
  // The rest of UTF-8 is as it is: accents, an em dash, an emoji.
  const std::string text = "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xc2\xa0";
  EXPECT_EQ(Visible(text), text);
}

TEST(VisibleTextTest, APieceEndingMidCharacterWaitsForTheNext) {
  const std::string text =
      "ok\r\n\xe2\x80\xae"
      "x\r\x1b[1m\xc3\xa9\xc2\x85";
  const std::string whole = Visible(text);
  EXPECT_EQ(whole, "ok\n<U+202E>x^M^[[1m\xc3\xa9<U+0085>");
  // The same, however it is cut.
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    VisibleText filter;
    std::string out;
    filter.Filter(std::string_view(text).substr(0, cut), &out);
    filter.Filter(std::string_view(text).substr(cut), &out);
    filter.Finish(&out);
    EXPECT_EQ(out, whole) << "cut at " << cut;
  }
}

TEST(VisibleTextTest, BytesThatAreNotUtf8PassAsTheyAre) {
  EXPECT_EQ(Visible("\xff\x80"), "\xff\x80");
  EXPECT_EQ(Visible("\xe2\x80x"), "\xe2\x80x");  // cut short
  EXPECT_EQ(Visible("\xe2\x80"), "\xe2\x80");    // at the end
  EXPECT_EQ(Visible("\xe2\r\n"), "\xe2\n");
}

}  // namespace
}  // namespace codex_manager
