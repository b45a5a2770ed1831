// HoldOwner: a claimed id reads as running while its claim lives, and as stopped once the claim
// (or its process) is gone; ids that are not ours never name a file.
#include "app/hold_owner.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "common/crypto.h"

namespace turnpike::app {
namespace {

class HoldOwnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / ("tp-holds-" + crypto::RandomHex(6))).string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(HoldOwnerTest, RunningWhileClaimedStoppedAfter) {
  std::string id;
  {
    auto owner = HoldOwner::Claim(dir_);
    ASSERT_TRUE(owner.ok()) << owner.error().message;
    id = owner->id();
    EXPECT_TRUE(HoldOwner::Running(dir_, id));
  }
  EXPECT_FALSE(HoldOwner::Running(dir_, id));
}

TEST_F(HoldOwnerTest, AProcessKilledWithoutCleanupReadsAsStopped) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto owner = HoldOwner::Claim(dir_);
    std::string id = owner.ok() ? owner->id() : "";
    (void)!write(pipe_fds[1], id.data(), id.size());
    pause();  // until killed: the lock file stays behind, the lock does not
    _exit(0);
  }
  char buf[64] = {};
  ssize_t n = read(pipe_fds[0], buf, sizeof buf);
  ASSERT_GT(n, 0);
  std::string id(buf, static_cast<size_t>(n));
  EXPECT_TRUE(HoldOwner::Running(dir_, id));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir_) / (id + ".lock")));
  EXPECT_FALSE(HoldOwner::Running(dir_, id));
  HoldOwner::Forget(dir_, id);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir_) / (id + ".lock")));
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

TEST_F(HoldOwnerTest, IdsThatAreNotOursAreNeverRunning) {
  EXPECT_FALSE(HoldOwner::Running(dir_, "../etc/passwd"));
  EXPECT_FALSE(HoldOwner::Running(dir_, ""));
  EXPECT_FALSE(HoldOwner::Running(dir_, "NOT-HEX"));
}

}  // namespace
}  // namespace turnpike::app
