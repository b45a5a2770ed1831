// The settlement journal's row format: everything a settlement holds comes back, and a row that
// is not one is refused rather than half-read.
#include <gtest/gtest.h>

#include "store/settlement_journal.h"

namespace turnpike::store {
namespace {

TEST(SettlementCodecTest, RoundTripsEveryField) {
  Settlement s;
  s.charge = ChargeRequest{"gen-1", 7, 9, 3'000, 1'234, "owner-a", 1'700'000'000};
  RequestLogRow r;
  r.request_id = "gen-1";
  r.user_id = 7;
  r.key_id = 9;
  r.model_id = "openai/gpt-4o-mini";
  r.provider_id = "openai";
  r.upstream_model = "gpt-4o-mini";
  r.streamed = true;
  r.prompt_tokens = 11;
  r.completion_tokens = 22;
  r.cached_tokens = 3;
  r.reasoning_tokens = 4;
  r.cost = 1'234;
  r.usage_source = UsageSource::kEstimated;
  r.latency_ms = 55;
  r.ttft_ms = -1;
  r.http_status = 502;
  r.finish_reason = "error";
  r.error_message = "Provider x: \"cut\"\n";
  r.created_at = 1'700'000'000'123;
  r.prices = {150'000, 600'000, 75'000, 0};
  r.prompt_text = "{\"messages\":[\"é ✓\"]}";
  r.completion_text = "partial";
  r.attempts = {Attempt{"a", 0, "connect", 5}, Attempt{"b", 200, "", 40}};
  r.routing = {RoutingStep{"a", "m/x", "failed", 0, ""}, RoutingStep{"b", "m/x", "answered", 0, ""},
               RoutingStep{"c", "m/y", "skipped", 0, "in provider.ignore"}};
  s.row = r;
  s.key_id = 9;
  s.used_at = 1'700'000'001;

  Result<Settlement> back = DecodeSettlement(EncodeSettlement(s));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_TRUE(back->charge && back->row);
  EXPECT_EQ(back->charge->owner, "owner-a");
  EXPECT_EQ(back->charge->actual, 1'234);
  EXPECT_EQ(back->charge->held_at, 1'700'000'000);
  const RequestLogRow& b = *back->row;
  EXPECT_EQ(b.upstream_model, "gpt-4o-mini");
  EXPECT_TRUE(b.streamed);
  EXPECT_EQ(b.usage_source, UsageSource::kEstimated);
  EXPECT_EQ(b.ttft_ms, -1);
  EXPECT_EQ(b.error_message, r.error_message);
  EXPECT_EQ(b.prompt_text, r.prompt_text);
  EXPECT_EQ(b.prices.cache_read, 75'000);
  ASSERT_EQ(b.attempts.size(), 2u);
  EXPECT_EQ(b.attempts[0].error, "connect");
  EXPECT_EQ(b.attempts[1].status, 200);
  EXPECT_EQ(b.routing, r.routing);
  EXPECT_EQ(back->used_at, 1'700'000'001);
}

TEST(SettlementCodecTest, RowJournaledBeforeTheRoutingExplanationHasNone) {
  Settlement s;
  s.key_id = 9;
  RequestLogRow r;
  r.request_id = "gen-old";
  r.routing = {RoutingStep{"a", "m/x", "answered", 0, ""}};
  s.row = r;
  std::string text = EncodeSettlement(s);
  const std::string member =
      ",\"routing\":[{\"provider\":\"a\",\"model\":\"m/x\",\"outcome\":\"answered\",\"status\":0,"
      "\"reason\":\"\"}]";
  size_t at = text.find(member);
  ASSERT_NE(at, std::string::npos) << text;
  text.erase(at, member.size());
  Result<Settlement> back = DecodeSettlement(text);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->row);
  EXPECT_TRUE(back->row->routing.empty());
  std::string mistyped = EncodeSettlement(s);
  const std::string outcome = "\"outcome\":\"answered\"";
  mistyped.replace(mistyped.find(outcome), outcome.size(), "\"outcome\":7");
  EXPECT_FALSE(DecodeSettlement(mistyped).ok()) << "a mistyped step is refused, not half-read";
}

TEST(SettlementCodecTest, WithoutChargeOrRow) {
  Settlement s;
  s.key_id = 3;
  s.used_at = 4;
  Result<Settlement> back = DecodeSettlement(EncodeSettlement(s));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->charge.has_value());
  EXPECT_FALSE(back->row.has_value());
}

TEST(SettlementCodecTest, RefusesWhatIsNotASettlement) {
  for (const char* text :
       {"", "[]", "{\"key_id\":1}", "{\"key_id\":1,\"used_at\":\"x\"}",
        "{\"key_id\":1,\"used_at\":2,\"charge\":{\"request_id\":\"r\"}}", "{\"key_id\":1,\"used_at\":2,\"row\":[]}"}) {
    EXPECT_FALSE(DecodeSettlement(text).ok()) << text;
  }
}

}  // namespace
}  // namespace turnpike::store
