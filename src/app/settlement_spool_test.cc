// The file a server stopped with its unwritten settlements: what is spooled comes back whole at the
// next start, the file goes once every line is journaled, stays when the database refuses one,
// and a write that did not finish (.partial) is never read.
#include "app/settlement_spool.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/crypto.h"
#include "common/result_testing.h"

namespace turnpike::app {
namespace {

class RecordingJournal : public store::SettlementJournal {
 public:
  Status Journal(const store::Settlement& settlement) override {
    if (fail) return MakeError(ErrorCode::kUnavailable, "postgresql: the server is away");
    journaled.push_back(settlement);
    return OkStatus();
  }
  Result<int> ApplyJournal(int) override { return 0; }
  std::vector<store::Settlement> journaled;
  bool fail = false;
};

store::Settlement Charge(const std::string& id, int64_t actual) {
  store::Settlement s;
  s.charge = store::ChargeRequest{id, 7, 9, 5'000, actual, "owner-a", 1'700'000'000};
  s.key_id = 9;
  s.used_at = 1'700'000'000;
  return s;
}

class SettlementSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / ("turnpike-spool-" + crypto::RandomHex(6))).string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(SettlementSpoolTest, WhatIsSpooledIsJournaledAtTheNextStartAndTheFileGoes) {
  RecordingJournal journal;
  EXPECT_EQ(Must(UnspoolSettlements(dir_, journal)), 0) << "no directory: nothing to do";
  Result<std::string> path = SpoolSettlements(dir_, "owner-a", {Charge("gen-1", 1'200), Charge("gen-2", 0)});
  ASSERT_TRUE(path.ok()) << path.error().message;
  ASSERT_TRUE(std::filesystem::exists(*path));

  journal.fail = true;
  EXPECT_FALSE(UnspoolSettlements(dir_, journal).ok());
  EXPECT_TRUE(std::filesystem::exists(*path)) << "kept while the database refuses it";

  journal.fail = false;
  Result<int> n = UnspoolSettlements(dir_, journal);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 2);
  ASSERT_EQ(journal.journaled.size(), 2u);
  EXPECT_EQ(journal.journaled[0].charge->request_id, "gen-1");
  EXPECT_EQ(journal.journaled[0].charge->actual, 1'200);
  EXPECT_EQ(journal.journaled[1].charge->request_id, "gen-2");
  EXPECT_FALSE(std::filesystem::exists(*path));
  EXPECT_EQ(Must(UnspoolSettlements(dir_, journal)), 0) << "journaled once";
}

TEST_F(SettlementSpoolTest, AWriteThatDidNotFinishIsNotRead) {
  std::filesystem::create_directories(std::filesystem::path(dir_) / "unwritten-settlements");
  std::ofstream(std::filesystem::path(dir_) / "unwritten-settlements" / "owner-b.jsonl.partial")
      << store::EncodeSettlement(Charge("gen-3", 10)) << '\n';
  RecordingJournal journal;
  EXPECT_EQ(Must(UnspoolSettlements(dir_, journal)), 0);
  EXPECT_TRUE(journal.journaled.empty());
}

}  // namespace
}  // namespace turnpike::app
