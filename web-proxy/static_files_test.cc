#include "static_files.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace codex_manager::web {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("static_files_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "ui" / "icons");
    Write("ui/index.html", "<!doctype html>");
    Write("ui/app.js", "console.log('the whole app')");
    Write("ui/app.js.gz", "GZIPPED");
    Write("ui/icons/icon.png", "PNG");
    Write("secret.txt", "root:x:0:0");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::optional<StaticFile> Get(const std::string& path, bool gzip = false) {
    return ReadStaticFile(dir_ / "ui", path, gzip);
  }

  fs::path dir_;
};

TEST_F(StaticFilesTest, APathNamesItsFileAndTheRootIsIndexHtml) {
  std::optional<StaticFile> index = Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->body, "<!doctype html>");
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  std::optional<StaticFile> icon = Get("/icons/icon.png");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->body, "PNG");
  EXPECT_EQ(icon->content_type, "image/png");
  EXPECT_FALSE(icon->gzip);
}

TEST_F(StaticFilesTest, AnUnknownRouteIsTheUiButAnUnknownFileIsNot) {
  std::optional<StaticFile> route = Get("/sessions/ses_1");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->body, "<!doctype html>");
  std::optional<StaticFile> folder = Get("/icons");  // no extension: a route
  ASSERT_TRUE(folder);
  EXPECT_EQ(folder->body, "<!doctype html>");
  EXPECT_FALSE(Get("/missing.js"));
}

TEST_F(StaticFilesTest, NothingOutsideTheRootIsRead) {
  EXPECT_FALSE(Get("/../secret.txt"));
  EXPECT_FALSE(Get("/../../etc/passwd")) << "not even as the UI's route";
  fs::create_symlink(dir_ / "secret.txt", dir_ / "ui" / "out.txt");
  EXPECT_FALSE(Get("/out.txt"));
  // A gzip variant that leads outside is not served either.
  fs::create_symlink(dir_ / "secret.txt", dir_ / "ui" / "index.html.gz");
  std::optional<StaticFile> index = Get("/", /*gzip=*/true);
  ASSERT_TRUE(index);
  EXPECT_FALSE(index->gzip);
  EXPECT_EQ(index->body, "<!doctype html>");
}

TEST_F(StaticFilesTest, TheGzipVariantIsSentOnlyToThoseWhoAcceptIt) {
  std::optional<StaticFile> plain = Get("/app.js", /*gzip=*/false);
  std::optional<StaticFile> gz = Get("/app.js", /*gzip=*/true);
  ASSERT_TRUE(plain && gz);
  EXPECT_EQ(plain->body, "console.log('the whole app')");
  EXPECT_FALSE(plain->gzip);
  EXPECT_EQ(gz->body, "GZIPPED");
  EXPECT_TRUE(gz->gzip);
  EXPECT_EQ(gz->content_type, plain->content_type) << "of the file, not gzip";
  EXPECT_NE(gz->etag, plain->etag) << "two representations, two tags";
  // No variant: the file itself, whatever is accepted.
  std::optional<StaticFile> index = Get("/", /*gzip=*/true);
  ASSERT_TRUE(index);
  EXPECT_FALSE(index->gzip);
}

TEST_F(StaticFilesTest, TheEntityTagChangesWithTheFile) {
  const std::string before = Get("/app.js")->etag;
  EXPECT_EQ(Get("/app.js")->etag, before);
  Write("ui/app.js", "console.log('a new app, longer')");
  EXPECT_NE(Get("/app.js")->etag, before);
  EXPECT_EQ(before.front(), '"');
  EXPECT_EQ(before.back(), '"');
}

TEST(AcceptsGzipTest, FollowsTheFieldsWeights) {
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br, zstd"));  // Chromium's
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0")) << "refused by name";
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=nonsense"));
}

TEST(NoneMatchTest, ComparesWeakly) {
  const std::string tag = EntityTag(478643, 1234567890, /*gzip=*/false);
  EXPECT_EQ(tag, "\"499602d2-74db3\"");
  EXPECT_EQ(EntityTag(478643, 1234567890, /*gzip=*/true),
            "\"499602d2-74db3-gz\"");
  EXPECT_TRUE(NoneMatch(tag, tag));
  EXPECT_TRUE(NoneMatch("W/" + tag, tag));
  EXPECT_TRUE(NoneMatch("\"other\", " + tag, tag));
  EXPECT_TRUE(NoneMatch("*", tag));
  EXPECT_FALSE(NoneMatch("", tag));
  EXPECT_FALSE(NoneMatch("\"other\"", tag));
  EXPECT_FALSE(NoneMatch(EntityTag(478643, 1234567890, true), tag));
}

}  // namespace
}  // namespace codex_manager::web
