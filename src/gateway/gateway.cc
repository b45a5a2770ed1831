#include "gateway/gateway.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>

#include <ctime>
#include <thread>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/error_table.h"
#include "gateway/cors.h"
#include "gateway/key_json.h"
#include "protocol/anthropic_messages.h"
#include "protocol/json_members.h"
#include "state/models_json.h"

namespace turnpike::gateway {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

std::string Quote(std::string_view s) { return json::serialize(json::string(s)); }

// The value of `name` in an undecoded query string; "" when absent.
std::string QueryParam(const std::string& query, std::string_view name) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view part(query.data() + pos, (amp == std::string::npos ? query.size() : amp) - pos);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return "";
}

// The filters of GET /models from its query string (percent-encoded, comma-separated lists);
// parameters it does not apply are ignored, as OpenRouter ignores unknown ones.
Result<state::ModelFilter> ModelFilterFrom(std::string_view query) {
  auto params = boost::urls::parse_query(query);
  if (!params) return MakeError(ErrorCode::kBadRequest, "Malformed query string");
  state::ModelFilter filter;
  auto list = [](const std::string& value) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = std::min(value.find(',', start), value.size());
      if (comma > start) out.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
    return out;
  };
  auto count = [](const std::string& name, const std::string& value) -> Result<size_t> {
    if (value.empty() || value.size() > 9 || !std::all_of(value.begin(), value.end(), ::isdigit)) {
      return MakeError(ErrorCode::kBadRequest, "'" + name + "' must be a whole number");
    }
    return static_cast<size_t>(std::stoul(value));
  };
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto param : *params) {
    const std::string key = param.key.decode(opts);
    const std::string value = param.has_value ? param.value.decode(opts) : std::string();
    if (key == "supported_parameters") {
      filter.supported_parameters = list(value);
    } else if (key == "providers") {
      filter.providers = list(value);
    } else if (key == "input_modalities") {
      filter.input_modalities = list(value);
    } else if (key == "output_modalities") {
      filter.output_modalities = list(value);
    } else if (key == "model_authors") {
      filter.model_authors = list(value);
    } else if (key == "q") {
      filter.q = value;
    } else if (key == "offset" || key == "limit") {
      Result<size_t> n = count(key, value);
      if (!n.ok()) return n.error();
      (key == "offset" ? filter.offset : filter.limit) = *n;
    }
  }
  return filter;
}

// The 503 for a store read that failed while `doing` something; the store's message is logged,
// not sent.
Error StoreUnavailable(std::string_view doing, const Error& error) {
  spdlog::error("gateway: {} failed: {}", doing, error.message);
  return MakeError(ErrorCode::kUnavailable, "The database cannot be read right now; try again shortly");
}

// Accepts both the OpenRouter paths (/api/v1/…) and the OpenAI-style aliases (/v1/…).
// "2026-12-06T21:13:43.123Z", OpenRouter's created_at.
std::string IsoMillis(int64_t unix_millis) {
  std::time_t seconds = static_cast<std::time_t>(unix_millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, unix_millis % 1000);
}

// The model-call API a route path is, if it is one.
std::optional<Gateway::Api> ModelApiOf(std::string_view route) {
  if (route == "/chat/completions") return Gateway::Api::kChat;
  if (route == "/messages") return Gateway::Api::kMessages;
  if (route == "/responses") return Gateway::Api::kResponses;
  if (route == "/embeddings") return Gateway::Api::kEmbeddings;
  if (route == "/completions") return Gateway::Api::kCompletions;
  return std::nullopt;
}

std::string_view RoutePath(std::string_view path) {
  if (path.starts_with("/api/v1/")) return path.substr(7);
  if (path.starts_with("/v1/")) return path.substr(3);
  return path;
}

}  // namespace

std::string Gateway::HttpErrorBody(int status, const std::string& message, std::string_view target) {
  std::string_view route = RoutePath(target.substr(0, target.find('?')));
  if (route == "/messages" || route == "/messages/count_tokens") {
    return protocol::AnthropicErrorBody(MakeError(CodeForStatus(status), message));
  }
  return ErrorBodyForStatus(status, message);
}

Gateway::Gateway(const config::Config& config, const GatewayStores& stores, state::KeyCache& keys,
                 state::ModelRouter& router, std::vector<std::unique_ptr<net::UpstreamClient>>& upstreams)
    : config_(config),
      key_store_(stores.keys),
      ledger_(stores.ledger),
      request_log_(stores.request_log),
      journal_(stores.journal),
      database_(stores.database),
      // Without an instance id (tools, tests) the process still needs a name for its leases.
      hold_owner_(stores.hold_owner.empty() ? "gateway-" + std::to_string(::getpid()) : stores.hold_owner),
      book_(billing::AccountBook::Options{std::chrono::milliseconds(config.lease_ttl_ms), 8}),
      charge_retry_for_(stores.charge_retry_for),
      keys_(keys),
      router_(router),
      upstreams_(upstreams),
      health_(0.2, state::BreakerOptions{.cooldown_ms = config.upstream.breaker_cooldown_ms,
                                         .max_cooldown_ms = 10 * config.upstream.breaker_cooldown_ms}) {
  reads_ = [this, delay = stores.test_delay](std::function<void()> call, std::function<void()> done) {
    boost::asio::post(read_pool_, [delay, call = std::move(call), done = std::move(done)] {
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
      call();
      done();
    });
  };
  writes_ = [&committer = stores.writes](std::function<void()> call, std::function<void()> done) {
    committer.Submit(std::move(call), std::move(done));
  };
}

Gateway::~Gateway() { read_pool_.join(); }

void Gateway::ReturnIdleLeases() {
  // One return at a time, and only when there is something to return: the committer's queue is
  // the requests' path.
  if (returning_leases_.exchange(true)) return;
  if (!book_.HasIdle(billing::AccountBook::Clock::now())) {
    returning_leases_ = false;
    return;
  }
  writes_(
      [this] {
        // Charges still in the journal were taken from these leases: they must reach the ledger
        // before the leases go, or another process could lease money already spent.
        if (auto applied = journal_.ApplyJournal(); !applied.ok()) {
          spdlog::warn("applying the settlement journal before returning leases: {}", applied.error().message);
          return;
        }
        for (int64_t key_id : book_.TakeIdle(billing::AccountBook::Clock::now())) {
          if (auto s = ledger_.ReturnLease(hold_owner_, key_id); !s.ok()) {
            spdlog::warn("returning the lease of key {}: {}", key_id, s.error().message);
          }
        }
      },
      [this] { returning_leases_ = false; });
}

void Gateway::Keep(Unwritten unwritten) {
  std::lock_guard lock(backlog_mu_);
  if (backlog_.size() >= kMaxBacklog) {
    // The oldest goes: what it charged can no longer be recovered, and says so.
    const Unwritten& dropped = backlog_.front();
    spdlog::error("{}: dropped from the full backlog of unwritten settlements (charge {} µUSD): never recorded",
                  dropped.request_id, dropped.settlement.charge ? dropped.settlement.charge->actual : 0);
    if (dropped.hold_taken) book_.Release(dropped.settlement.key_id, dropped.settlement.charge->held, 0);
    metrics_.settlements_dropped.fetch_add(1, std::memory_order_relaxed);
    backlog_.pop_front();
  }
  metrics_.settlements_kept.fetch_add(1, std::memory_order_relaxed);
  backlog_.push_back(std::move(unwritten));
}

size_t Gateway::backlog_size() const {
  std::lock_guard lock(backlog_mu_);
  return backlog_.size();
}

std::vector<store::Settlement> Gateway::TakeBacklog() {
  std::lock_guard lock(backlog_mu_);
  std::vector<store::Settlement> out;
  out.reserve(backlog_.size());
  for (Unwritten& u : backlog_) {
    if (u.hold_taken) book_.Release(u.settlement.key_id, u.settlement.charge->held, 0);
    out.push_back(std::move(u.settlement));
  }
  backlog_.clear();
  return out;
}

void Gateway::WriteBacklog() {
  // One call at a time, of a bounded chunk: the committer's queue is the requests' path.
  constexpr size_t kChunk = 256;
  if (writing_backlog_.exchange(true)) return;
  auto chunk = std::make_shared<std::vector<Unwritten>>();
  {
    std::lock_guard lock(backlog_mu_);
    while (!backlog_.empty() && chunk->size() < kChunk) {
      chunk->push_back(std::move(backlog_.front()));
      backlog_.pop_front();
    }
  }
  if (chunk->empty()) {
    writing_backlog_ = false;
    return;
  }
  writes_(
      // May run twice (a batch that did not commit runs again alone): each run starts afresh.
      [this, chunk] {
        bool away = false;
        for (Unwritten& u : *chunk) {
          u.journaled = false;
          if (away) continue;  // the database still does not take them: the rest wait too
          Status journaled = journal_.Journal(u.settlement);
          if (!journaled.ok()) {
            away = true;
            continue;
          }
          u.journaled = true;
          if (u.hold_taken) u.mark = book_.Mark(u.settlement.key_id);
        }
      },
      // Committed: each written charge ends its hold (as Exchange::Record's would have); the
      // others go back to the front of the backlog, in their order.
      [this, chunk] {
        size_t written = 0;
        std::vector<Unwritten> again;
        for (Unwritten& u : *chunk) {
          if (!u.journaled) {
            again.push_back(std::move(u));
            continue;
          }
          ++written;
          if (u.hold_taken) {
            const store::ChargeRequest& c = *u.settlement.charge;
            book_.Charged(c.key_id, c.held, c.actual, u.mark);
            metrics_.billed_micros.fetch_add(c.actual, std::memory_order_relaxed);
          }
        }
        if (written > 0) spdlog::info("wrote {} settlements kept while the database was away", written);
        {
          std::lock_guard lock(backlog_mu_);
          backlog_.insert(backlog_.begin(), std::make_move_iterator(again.begin()),
                          std::make_move_iterator(again.end()));
        }
        writing_backlog_ = false;
      });
}

void Gateway::InvalidateLeases() {
  writes_([this] { book_.InvalidateAll(); }, [] {});
}

void Gateway::NoteKeyUse(int64_t key_id, int64_t used_at) {
  KeyUses& shard = key_uses_[static_cast<uint64_t>(key_id) % key_uses_.size()];
  std::lock_guard lock(shard.mu);
  int64_t& last = shard.last[key_id];
  last = std::max(last, used_at);
}

void Gateway::FlushKeyUses() {
  auto uses = std::make_shared<std::vector<std::pair<int64_t, int64_t>>>();
  for (KeyUses& shard : key_uses_) {
    std::lock_guard lock(shard.mu);
    uses->insert(uses->end(), shard.last.begin(), shard.last.end());
    shard.last.clear();
  }
  if (uses->empty()) return;
  // TouchKey drops a write it would have to wait for: a lost "last used" costs nothing.
  writes_(
      [this, uses] {
        for (const auto& [key_id, used_at] : *uses) key_store_.TouchKey(key_id, used_at);
      },
      [] {});
}

const Gateway::BodyBuilder Gateway::kKeyBody = &Gateway::KeyBody;
const Gateway::BodyBuilder Gateway::kCreditsBody = &Gateway::CreditsBody;
const Gateway::BodyBuilder Gateway::kGenerationBody = &Gateway::GenerationBody;

// Handle and Serve are plain functions that hand back the coroutine that answers, not coroutines
// themselves: a coroutine's frame holds every local and temporary of every branch, and a frame
// that waits for the model call's end is memory each open stream keeps (bench/README.md).
awaitable<void> Gateway::Handle(int worker, const net::HttpRequest& request, net::ResponseWriter& writer) {
  if (IsPreflight(request)) return Preflight(request, writer);
  if (!FindHeader(request.headers, "origin").empty()) return ServeWithCors(worker, request, writer);
  return Serve(worker, request, writer);
}

awaitable<void> Gateway::Preflight(const net::HttpRequest& request, net::ResponseWriter& writer) {
  Headers headers = PreflightHeaders(request);
  headers.push_back(Header{"x-request-id", request.id});
  co_await writer.Send(204, std::move(headers), "");
}

awaitable<void> Gateway::ServeWithCors(int worker, const net::HttpRequest& request, net::ResponseWriter& writer) {
  auto cors = WithCors(writer);
  co_await Serve(worker, request, *cors);
}

awaitable<void> Gateway::Serve(int worker, const net::HttpRequest& request, net::ResponseWriter& writer) {
  metrics_.requests.fetch_add(1, std::memory_order_relaxed);
  const auto api = ModelApiOf(RoutePath(request.path));
  if (api && request.method == "POST") return ModelCall(worker, request, writer, request.id, *api);
  return ServeOther(worker, request, writer);
}

awaitable<void> Gateway::ServeOther(int worker, const net::HttpRequest& request, net::ResponseWriter& writer) {
  const std::string& request_id = request.id;
  std::string_view route = RoutePath(request.path);
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (const auto api = ModelApiOf(route)) {  // (a POST went to ModelCall: Serve)
    co_await ReplyError(writer, MakeError(ErrorCode::kBadRequest, "Use POST for " + std::string(route)), request_id,
                        nullptr, *api);
  } else if (route == "/messages/count_tokens") {
    if (request.method != "POST") {
      co_await ReplyError(writer, MakeError(ErrorCode::kBadRequest, "Use POST for /messages/count_tokens"), request_id,
                          nullptr, Api::kMessages);
      co_return;
    }
    co_await CountTokens(worker, request, writer, request_id);
  } else if (route == "/models" && get) {
    auto snapshot = router_.snapshot();
    if (request.query.empty()) {
      co_await ReplyJson(writer, 200, snapshot->models_json(), request_id);
    } else if (auto filter = ModelFilterFrom(request.query); filter.ok()) {
      co_await ReplyJson(writer, 200, state::BuildModelsJson(*snapshot, *filter), request_id);
    } else {
      co_await ReplyError(writer, filter.error(), request_id);
    }
  } else if (route == "/embeddings/models" && get) {
    // OpenRouter's list of the embedding models, in /models' shape and with its filters.
    auto filter = ModelFilterFrom(request.query);
    if (filter.ok()) {
      filter->output_modalities = {"embeddings"};
      co_await ReplyJson(writer, 200, state::BuildModelsJson(*router_.snapshot(), *filter), request_id);
    } else {
      co_await ReplyError(writer, filter.error(), request_id);
    }
  } else if (route == "/providers" && get) {
    co_await ReplyJson(writer, 200, state::BuildProvidersJson(*router_.snapshot()), request_id);
  } else if (route.size() > 18 && route.starts_with("/models/") && route.ends_with("/endpoints") && get) {
    // /models/{author}/{slug}/endpoints: the model by its id or an alias.
    std::string id(route.substr(8, route.size() - 8 - 10));
    auto snapshot = router_.snapshot();
    if (const store::Model* model = snapshot->FindModel(id)) {
      co_await ReplyJson(
          writer, 200, state::BuildModelEndpointsJson(*model, *snapshot, health_.Snapshot(), UnixMillis()), request_id);
    } else {
      co_await ReplyError(writer, MakeError(ErrorCode::kNotFound, "No model " + id), request_id);
    }
  } else if (route == "/keys" || route.starts_with("/keys/")) {
    co_await Keys(request, writer);
  } else if (route == "/key" && get) {
    co_await KeyInfo(request, writer, kKeyBody);
  } else if (route == "/credits" && get) {
    co_await KeyInfo(request, writer, kCreditsBody);
  } else if (route == "/generation" && get) {
    co_await KeyInfo(request, writer, kGenerationBody);
  } else if (request.path == "/health" && get) {
    co_await ReplyJson(writer, 200, R"({"status":"ok"})", request_id);
  } else if (request.path == "/ready" && get) {
    const std::function<bool()> ping = [this] { return database_.Ping(); };
    bool ok = co_await Read(ping);
    std::string body = ok ? R"({"status":"ready"})" : R"({"status":"database unreachable"})";
    co_await ReplyJson(writer, ok ? 200 : 503, std::move(body), request_id);
  } else if (request.path == "/metrics" && get) {
    co_await MetricsText(writer, request_id);
  } else {
    co_await ReplyError(writer, MakeError(ErrorCode::kNotFound, "No route for " + request.method + " " + request.path),
                        request_id);
  }
}

Result<std::string> Gateway::KeyBody(const store::ApiKey& key, const net::HttpRequest&) {
  auto found = key_store_.FindKeyById(key.id);
  if (!found.ok()) return StoreUnavailable("reading a key", found.error());
  const std::optional<store::ApiKey>& fresh = *found;
  if (!fresh) return MakeError(ErrorCode::kUnauthorized, "Invalid API key");
  // What the requests in flight hold counts as used until they are charged.
  const money::Micros used = fresh->usage + book_.Reserved(fresh->id);
  // The key's spend in the current UTC day, ISO week and month, from the activity rollups (the
  // journal is applied before this runs), plus what is in flight now.
  const int64_t now = UnixSeconds();
  auto buckets = request_log_.Activity(store::SpendWindowsQuery(fresh->user_id, now));
  if (!buckets.ok()) return StoreUnavailable("reading the key's spend", buckets.error());
  const store::SpendWindows spent = store::SpendWindowsOf(*buckets, fresh->id, now);
  const money::Micros in_flight = book_.Reserved(fresh->id);
  // Every field @openrouter/sdk requires of GET /key; there is no BYOK, so those are zero.
  // rate_limit: the key's requests and tokens per minute (state/key_rate_limits.h), -1 for none;
  // @openrouter/sdk requires `note`.
  const std::string rate_note =
      !fresh->rpm_limit && !fresh->tpm_limit
          ? "No rate limit on this key"
          : "Per key, over a sliding minute: requests " +
                (fresh->rpm_limit ? std::to_string(*fresh->rpm_limit) : std::string("unlimited")) + ", tokens " +
                (fresh->tpm_limit ? std::to_string(*fresh->tpm_limit) : std::string("unlimited"));
  std::string usage = money::FormatUsd(used);
  std::string body = fmt::format(
      R"({{"data":{{"label":{},"name":{},"usage":{},"usage_daily":{},"usage_weekly":{},"usage_monthly":{},)"
      R"("byok_usage":0,"byok_usage_daily":0,"byok_usage_weekly":0,"byok_usage_monthly":0,)"
      R"({},"include_byok_in_limit":false,)"
      R"("is_free_tier":false,"is_management_key":{},"is_provisioning_key":{},"disabled":{},)"
      R"("allowed_data_regions":[],"creator_user_id":null,"organization_id":null,"workspace_id":null,)"
      R"("free_model_daily_requests":{{"limit":0,"remaining":0,"used":0}},)"
      R"("rate_limit":{{"requests":{},"tokens":{},"interval":"1m","note":{}}},"expires_at":{}}}}})",
      Quote(fresh->prefix), Quote(fresh->name), usage, money::FormatUsd(spent.day + in_flight),
      money::FormatUsd(spent.week + in_flight), money::FormatUsd(spent.month + in_flight),
      KeyLimitMembers(*fresh, in_flight), fresh->management ? "true" : "false", fresh->management ? "true" : "false",
      fresh->disabled ? "true" : "false", fresh->rpm_limit.value_or(-1), fresh->tpm_limit.value_or(-1),
      Quote(rate_note), fresh->expires_at ? Quote(IsoUtc(*fresh->expires_at)) : "null");
  return body;
}

Result<std::string> Gateway::CreditsBody(const store::ApiKey& key, const net::HttpRequest&) {
  auto credited = ledger_.TotalCredited(key.user_id);
  auto spent = credited.ok() ? ledger_.TotalSpent(key.user_id) : credited;
  if (!spent.ok()) return StoreUnavailable("reading the credits", spent.error());
  return fmt::format(R"({{"data":{{"total_credits":{},"total_usage":{}}}}})", money::FormatUsd(*credited),
                     money::FormatUsd(*spent));
}

Result<std::string> Gateway::GenerationBody(const store::ApiKey& key, const net::HttpRequest& request) {
  std::string id = QueryParam(request.query, "id");
  if (id.empty()) return MakeError(ErrorCode::kBadRequest, "'id' query parameter is required");
  auto found = request_log_.FindRequestLog(id);
  if (!found.ok()) return StoreUnavailable("reading the request log", found.error());
  const std::optional<store::RequestLogRow>& row = *found;
  if (!row || row->user_id != key.user_id) return MakeError(ErrorCode::kNotFound, "Generation " + id + " not found");
  // Every member @openrouter/sdk's GenerationResponse requires, null where Turnpike has nothing
  // to say (apps, referers, media, web search), plus Turnpike's own (upstream_model,
  // usage_source, time_to_first_token, status).
  const state::ProviderState* provider = router_.snapshot()->FindProvider(row->provider_id);
  const std::string provider_name = provider ? provider->provider->name : row->provider_id;
  json::object d;
  d["id"] = row->request_id;
  // The request log keeps no API: a request to an embedding model can only have been an
  // embeddings call (Exchange::Unservable), as OpenRouter names it.
  const store::Model* model = router_.snapshot()->FindModel(row->model_id);
  const bool embeds = model && std::find(model->output_modalities.begin(), model->output_modalities.end(),
                                         "embeddings") != model->output_modalities.end();
  d["api_type"] = embeds ? "embeddings" : "completions";
  d["model"] = row->model_id;
  d["provider_name"] = row->provider_id.empty() ? json::value(nullptr) : json::value(provider_name);
  d["upstream_model"] = row->upstream_model;
  d["streamed"] = row->streamed;
  d["cancelled"] = row->http_status == 499;
  d["tokens_prompt"] = row->prompt_tokens;
  d["tokens_completion"] = row->completion_tokens;
  d["native_tokens_prompt"] = row->prompt_tokens;
  d["native_tokens_completion"] = row->completion_tokens;
  d["native_tokens_cached"] = row->cached_tokens;
  d["native_tokens_reasoning"] = row->reasoning_tokens;
  d["usage_source"] = row->usage_source == store::UsageSource::kProvider ? "provider" : "estimated";
  d["latency"] = row->latency_ms;
  d["generation_time"] = row->ttft_ms >= 0 ? json::value(row->latency_ms - row->ttft_ms) : json::value(nullptr);
  d["time_to_first_token"] = row->ttft_ms;
  d["status"] = row->http_status;
  d["finish_reason"] = row->finish_reason.empty() ? json::value(nullptr) : json::value(row->finish_reason);
  d["native_finish_reason"] = d["finish_reason"];
  d["created_at"] = IsoMillis(row->created_at);
  d["is_byok"] = false;
  d["data_region"] = "global";
  d["origin"] = "";
  json::array responses;
  for (const auto& a : row->attempts) {
    const state::ProviderState* p = router_.snapshot()->FindProvider(a.provider);
    json::object r{{"provider_name", p ? p->provider->name : a.provider}, {"latency", a.latency_ms}};
    r["status"] = a.status > 0 ? json::value(a.status) : json::value(nullptr);
    responses.push_back(std::move(r));
  }
  d["provider_responses"] = responses.empty() ? json::value(nullptr) : json::value(std::move(responses));
  for (const char* none :
       {"app_id", "cache_discount", "external_user", "http_referer", "moderation_latency",
        "native_tokens_completion_images", "num_fetches", "num_input_audio_prompt", "num_media_completion",
        "num_media_prompt", "num_search_results", "preset_id", "router", "service_tier", "upstream_id",
        "upstream_inference_cost", "user_agent", "web_search_engine", "workspace_id"}) {
    d[none] = nullptr;
  }
  // total_cost is written as the exact decimal of the micro-dollars, not through a double.
  std::string data = json::serialize(d);
  auto layout = protocol::ScanObject(data);
  data = protocol::ApplyEdits(data, {protocol::SetMember(data, *layout, "total_cost", money::FormatUsd(row->cost))});
  layout = protocol::ScanObject(data);
  data = protocol::ApplyEdits(data, {protocol::SetMember(data, *layout, "usage", money::FormatUsd(row->cost))});
  return "{\"data\":" + data + "}";
}

awaitable<void> Gateway::KeyInfo(const net::HttpRequest& request, net::ResponseWriter& writer,
                                 const BodyBuilder& build) {
  // Any known key may read its own state, even disabled or at its limit.
  std::string_view authorization = FindHeader(request.headers, "authorization");
  Result<store::ApiKey> key = MakeError(ErrorCode::kUnauthorized, "Invalid API key");
  if (auto cached = keys_.IdentifyCached(authorization)) {
    key = std::move(*cached);
  } else {  // a cache miss: read the key on a store thread
    const std::function<Result<store::ApiKey>()> lookup = [&] { return keys_.Identify(authorization); };
    Result<store::ApiKey> read = co_await Read(lookup);
    key = std::move(read);
  }
  if (!key.ok()) {
    co_await ReplyError(writer, key.error(), request.id);
    co_return;
  }
  // What the key has done so far is in the journal until the committer applies it: apply it now,
  // so that a client reads its own charges and generations as soon as it has its answer.
  const std::function<bool()> apply = [this] { return journal_.ApplyJournal().ok(); };
  if (!co_await Write(apply)) {
    co_await ReplyError(writer, MakeError(ErrorCode::kUnavailable, "The store is unavailable; try again"), request.id);
    co_return;
  }
  const std::function<Result<std::string>()> make_body = [&] { return (this->*build)(*key, request); };
  Result<std::string> body = co_await Read(make_body);
  if (!body.ok()) {
    co_await ReplyError(writer, body.error(), request.id);
    co_return;
  }
  co_await ReplyJson(writer, 200, std::move(*body), request.id);
}

awaitable<void> Gateway::MetricsText(net::ResponseWriter& writer, const std::string& request_id) {
  const auto& m = metrics_;
  std::string text = fmt::format(
      "# TYPE turnpike_requests_total counter\nturnpike_requests_total {}\n"
      "# TYPE turnpike_chat_requests_total counter\nturnpike_chat_requests_total {}\n"
      "# TYPE turnpike_responses_total counter\n"
      "turnpike_responses_total{{class=\"2xx\"}} {}\nturnpike_responses_total{{class=\"4xx\"}} {}\n"
      "turnpike_responses_total{{class=\"5xx\"}} {}\n"
      "# TYPE turnpike_upstream_failures_total counter\nturnpike_upstream_failures_total {}\n"
      "# TYPE turnpike_failovers_total counter\nturnpike_failovers_total {}\n"
      "# TYPE turnpike_client_disconnects_total counter\nturnpike_client_disconnects_total {}\n"
      "# TYPE turnpike_billed_usd_total counter\nturnpike_billed_usd_total {}\n"
      "# TYPE turnpike_billed_above_hold_total counter\nturnpike_billed_above_hold_total {}\n"
      "# TYPE turnpike_key_rate_limited_total counter\nturnpike_key_rate_limited_total {}\n"
      "# TYPE turnpike_request_log_dropped_total counter\nturnpike_request_log_dropped_total {}\n"
      "# TYPE turnpike_settlements_kept_total counter\nturnpike_settlements_kept_total {}\n"
      "# TYPE turnpike_settlements_unwritten gauge\nturnpike_settlements_unwritten {}\n"
      "# TYPE turnpike_settlements_dropped_total counter\nturnpike_settlements_dropped_total {}\n"
      "# TYPE turnpike_request_log_text_dropped_total counter\nturnpike_request_log_text_dropped_total {}\n"
      "# TYPE turnpike_request_log_text_waiting_bytes gauge\nturnpike_request_log_text_waiting_bytes {}\n",
      m.requests.load(), m.chat_requests.load(), m.status_2xx.load(), m.status_4xx.load(), m.status_5xx.load(),
      m.upstream_failures.load(), m.failovers.load(), m.client_disconnects.load(),
      money::FormatUsd(m.billed_micros.load()), m.billed_above_hold.load(), m.rate_limited.load(),
      m.log_write_failures.load(), m.settlements_kept.load(), backlog_size(), m.settlements_dropped.load(),
      request_log_.text_budget().refused(), request_log_.text_budget().in_use());
  struct Gauge {
    const char* name;
    const char* type;
    int64_t (net::HttpServer::*read)() const;
  };
  static constexpr Gauge kGauges[] = {
      {"turnpike_open_connections", "gauge", &net::HttpServer::open_connections},
      {"turnpike_requests_in_flight", "gauge", &net::HttpServer::active_requests},
      {"turnpike_connections_evicted_total", "counter", &net::HttpServer::evicted_connections},
      {"turnpike_connections_refused_total", "counter", &net::HttpServer::refused_connections},
  };
  for (const Gauge& g : kGauges) {
    if (listeners_.empty()) break;
    text += fmt::format("# TYPE {} {}\n", g.name, g.type);
    for (const auto& [name, server] : listeners_) {
      text += fmt::format("{}{{listener=\"{}\"}} {}\n", g.name, name, (server->*g.read)());
    }
  }
  Headers headers{{"Content-Type", "text/plain; version=0.0.4"}, {"x-request-id", request_id}};
  co_await writer.Send(200, std::move(headers), std::move(text));
}

awaitable<void> Gateway::ReplyError(net::ResponseWriter& writer, const Error& error, const std::string& request_id,
                                    const Headers* extra, Api api) {
  std::string body = api == Api::kMessages ? protocol::AnthropicErrorBody(error) : ErrorBody(error);
  co_await ReplyJson(writer, HttpStatus(error.code), std::move(body), request_id, extra);
}

awaitable<void> Gateway::ReplyJson(net::ResponseWriter& writer, int status, std::string body,
                                   const std::string& request_id, const Headers* extra) {
  if (status < 300) {
    metrics_.status_2xx.fetch_add(1, std::memory_order_relaxed);
  } else if (status < 500) {
    metrics_.status_4xx.fetch_add(1, std::memory_order_relaxed);
  } else {
    metrics_.status_5xx.fetch_add(1, std::memory_order_relaxed);
  }
  Headers headers{{"Content-Type", "application/json"}, {"x-request-id", request_id}};
  if (extra) headers.insert(headers.end(), extra->begin(), extra->end());
  co_await writer.Send(status, std::move(headers), std::move(body));
}

}  // namespace turnpike::gateway
