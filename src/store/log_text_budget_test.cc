// The per-row text caps (BoundRowText, TruncateUtf8) and the byte bound on the text waiting to be
// written (LogTextBudget).
#include "store/log_text_budget.h"

#include <gtest/gtest.h>

#include "store/request_log.h"

namespace turnpike::store {
namespace {

RequestLogRow Logged(size_t prompt, size_t completion, int status = 200, Micros cost = 10) {
  RequestLogRow row;
  row.request_id = "gen-1";
  row.model_id = "a/x";
  row.http_status = status;
  row.cost = cost;
  row.prompt_tokens = 12;
  row.prompt_text = std::string(prompt, 'p');
  row.completion_text = std::string(completion, 'c');
  return row;
}

TEST(TruncateUtf8, CutsAtACharacterBoundary) {
  std::string text =
      "ab\xC3\xA9"
      "cd";  // "abécd": é is two bytes at 2..3
  TruncateUtf8(text, 3);
  EXPECT_EQ(text, "ab");
  text =
      "ab\xC3\xA9"
      "cd";
  TruncateUtf8(text, 4);
  EXPECT_EQ(text, "ab\xC3\xA9");
  text = "\xF0\x9F\x98\x80\xF0\x9F\x98\x80";  // two four-byte emoji
  for (int cut = 4; cut < 8; ++cut) {
    std::string t = text;
    TruncateUtf8(t, cut);
    EXPECT_EQ(t, "\xF0\x9F\x98\x80") << cut;
  }
  text = "short";
  TruncateUtf8(text, 100);
  EXPECT_EQ(text, "short");
  TruncateUtf8(text, 0);
  EXPECT_EQ(text, "");
}

TEST(BoundRowText, CapsPromptCompletionAndErrors) {
  LogTextBudget budget(0);
  RowTextLimits limits{.max_text_bytes = 1'000, .failed_prompt_bytes = 100, .max_error_bytes = 50};
  RequestLogRow row = Logged(5'000, 3'000);
  row.error_message = std::string(400, 'e');
  row.attempts = {Attempt{"openai", 502, std::string(400, 'a'), 3}};
  BoundRowText(row, limits, budget);
  EXPECT_EQ(row.prompt_text.size(), 1'000u);
  EXPECT_EQ(row.completion_text.size(), 1'000u);
  EXPECT_EQ(row.error_message.size(), 50u);
  EXPECT_EQ(row.attempts[0].error.size(), 50u);
  EXPECT_EQ(row.prompt_tokens, 12);
  EXPECT_EQ(row.cost, 10);
}

TEST(BoundRowText, AFailedRequestThatCostNothingKeepsASmallPrompt) {
  LogTextBudget budget(0);
  RowTextLimits limits{.max_text_bytes = 1'000, .failed_prompt_bytes = 100};
  RequestLogRow failed = Logged(5'000, 0, 502, 0);
  BoundRowText(failed, limits, budget);
  EXPECT_EQ(failed.prompt_text.size(), 100u);
  // Failed but charged (generated before it failed): the ordinary cap.
  RequestLogRow charged = Logged(5'000, 0, 502, 7);
  BoundRowText(charged, limits, budget);
  EXPECT_EQ(charged.prompt_text.size(), 1'000u);
}

TEST(LogTextBudget, HoldsBytesUntilTheLastCopyOfTheRowIsGone) {
  LogTextBudget budget(1 << 20);
  RequestLogRow row = Logged(1'000, 500);
  BoundRowText(row, RowTextLimits{}, budget);
  const int64_t held = budget.in_use();
  EXPECT_GE(held, 1'500 + kRowOverheadBytes);
  {
    RequestLogRow copy = row;
    row = RequestLogRow();
    EXPECT_EQ(budget.in_use(), held);  // the copy still waits
  }
  EXPECT_EQ(budget.in_use(), 0);
  EXPECT_EQ(budget.refused(), 0u);
}

TEST(LogTextBudget, PastTheBoundNewRowsLoseTheirTextButNotTheirMoney) {
  LogTextBudget budget(10'000);
  std::vector<RequestLogRow> waiting;
  for (int i = 0; i < 3; ++i) {
    waiting.push_back(Logged(3'000, 1'000));
    BoundRowText(waiting.back(), RowTextLimits{}, budget);
  }
  // Two fit (about 4.3 KB each); the third does not.
  EXPECT_EQ(waiting[0].prompt_text.size(), 3'000u);
  EXPECT_EQ(waiting[1].prompt_text.size(), 3'000u);
  EXPECT_EQ(waiting[2].prompt_text, "");
  EXPECT_EQ(waiting[2].completion_text, "");
  EXPECT_EQ(waiting[2].cost, 10);
  EXPECT_EQ(waiting[2].prompt_tokens, 12);
  EXPECT_EQ(budget.refused(), 1u);
  EXPECT_LE(budget.in_use(), 10'000 + 2 * kRowOverheadBytes);
  // Once the waiting rows are written (gone), text fits again.
  waiting.clear();
  EXPECT_EQ(budget.in_use(), 0);
  RequestLogRow next = Logged(3'000, 1'000);
  BoundRowText(next, RowTextLimits{}, budget);
  EXPECT_EQ(next.prompt_text.size(), 3'000u);
  EXPECT_EQ(budget.refused(), 1u);
}

TEST(LogTextBudget, ABudgetGoneBeforeItsRowsIsSafe) {
  RequestLogRow row = Logged(100, 100);
  {
    LogTextBudget budget(1 << 20);
    BoundRowText(row, RowTextLimits{}, budget);
    EXPECT_GT(budget.in_use(), 0);
  }
  row = RequestLogRow();  // gives its bytes back to the state the hold shares
}

}  // namespace
}  // namespace turnpike::store
