// The JSON shapes of the control API (docs/control-api.md). Times are ISO 8601 UTC strings;
// money is integer micro-USD in `*_micros` members. Nothing secret is ever written: no password
// hash, key hash or session id.
#pragma once

#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "store/keys.h"
#include "store/ledger.h"
#include "store/request_log.h"
#include "store/topups.h"
#include "store/users.h"

namespace turnpike::control {

// `text`, or null when it is empty (an absent optional text).
boost::json::value TextOrNull(const std::string& text);

// {id, email, is_admin, disabled, created_at}
boost::json::object UserJson(const store::User& user);
// {id, name, prefix, created_at, last_used_at, expires_at, disabled, log_prompts, usage_micros,
//  limit_micros}
boost::json::object KeyJson(const store::ApiKey& key);
// {id (the request id), model, provider, upstream_model, key_id, streamed, prompt_tokens, …,
//  created_at, prices}; with `with_text` (the detail view), also the attempts and the prompt and completion when they
//  were logged.
boost::json::object LogJson(const store::RequestLogRow& row, bool with_text);
// {id, amount_micros, provider, status, created_at, completed_at}
boost::json::object TopupJson(const store::Topup& topup);
// {id, kind, amount_micros, running, note, request_id, created_at, settled_at}: a line of
// /api/credits/transactions (a request's hold and settlement are one line).
boost::json::object HistoryLineJson(const store::HistoryLine& line);
// {group, requests, errors, prompt_tokens, completion_tokens, cost_micros} (no group when
// `with_group` is false: the totals).
boost::json::object ActivityJson(const store::ActivityBucket& bucket, bool with_group);
// Every bucket as ActivityJson(bucket, true) shows it, and their sum as ActivityJson(sum, false):
// the activity figures of a period, and its totals.
struct ActivityList {
  boost::json::array buckets;
  boost::json::object totals;
};
ActivityList ActivityListJson(const std::vector<store::ActivityBucket>& buckets);

}  // namespace turnpike::control
