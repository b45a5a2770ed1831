#include "control/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace turnpike::control {
namespace {
namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("turnpike-static-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "assets");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& content) { std::ofstream(dir_ / name) << content; }

  fs::path dir_;
};

TEST_F(StaticFilesTest, ADirectoryWithoutIndexIsNotADashboard) {
  Write("assets/app.js", "x");
  auto files = StaticFiles::Load(dir_.string());
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.error().message.find("index.html"), std::string::npos);
  EXPECT_FALSE(StaticFiles::Load((dir_ / "missing").string()).ok());
}

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCaching) {
  Write("index.html", "<!doctype html><div id=root></div>");
  Write("assets/app-abc123.js", "console.log(1)");
  Write("assets/app-abc123.css", "body{}");
  auto files = StaticFiles::Load(dir_.string());
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(files->size(), 3u);

  const StaticFile* index = files->Find("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index->cache_control, "no-cache");
  const StaticFile* js = files->Find("/assets/app-abc123.js");
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js->cache_control, "public, max-age=31536000, immutable");
  EXPECT_EQ(files->Find("/assets/app-abc123.css")->content_type, "text/css; charset=utf-8");
}

TEST_F(StaticFilesTest, PagePathsGetIndexButMissingAssetsDoNot) {
  Write("index.html", "<html>app</html>");
  auto files = StaticFiles::Load(dir_.string());
  ASSERT_TRUE(files.ok());
  const StaticFile* index = files->Find("/index.html");
  EXPECT_EQ(files->ForBrowser("/keys"), index);
  EXPECT_EQ(files->ForBrowser("/models/openai/gpt-4o"), index) << "model ids have slashes";
  EXPECT_EQ(files->ForBrowser("/logs/gen-0123abcd"), index);
  EXPECT_EQ(files->ForBrowser("/assets/gone-123.js"), nullptr);
  EXPECT_EQ(files->ForBrowser("/favicon.ico"), nullptr);
  EXPECT_EQ(files->ForBrowser("/../etc/passwd"), index) << "never a file outside the directory";
}

TEST_F(StaticFilesTest, ARepeatedRequestWithTheETagGetsNotModified) {
  Write("index.html", "<html>v1</html>");
  auto files = StaticFiles::Load(dir_.string());
  ASSERT_TRUE(files.ok());
  const StaticFile& index = *files->Find("/");
  Reply full = StaticReply(index, "");
  EXPECT_EQ(full.status, 200);
  EXPECT_EQ(full.body, "<html>v1</html>");
  EXPECT_EQ(FindHeader(full.headers, "etag"), index.etag);
  Reply again = StaticReply(index, index.etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(StaticReply(index, "\"other\"").status, 200);
}

}  // namespace
}  // namespace turnpike::control
