#include "common/json_depth.h"

#include <string>

#include "gtest/gtest.h"

namespace codex_manager {
namespace {

TEST(JsonNestsDeeperThanTest, CountsBracketsOutsideStrings) {
  EXPECT_FALSE(JsonNestsDeeperThan("1", 0));
  EXPECT_TRUE(JsonNestsDeeperThan("[]", 0));
  EXPECT_FALSE(JsonNestsDeeperThan("[1, [2], {\"a\": 3}]", 2));
  EXPECT_TRUE(JsonNestsDeeperThan("[1, [2, {\"a\": 3}]]", 2));
  // Brackets in strings, escaped quotes included, are text.
  EXPECT_FALSE(JsonNestsDeeperThan(R"(["[[[[", "\"{{{{"])", 1));
  const std::string deep =
      std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_TRUE(JsonNestsDeeperThan(deep, 128));
  EXPECT_FALSE(JsonNestsDeeperThan(deep, 1000000));
}

}  // namespace
}  // namespace codex_manager
