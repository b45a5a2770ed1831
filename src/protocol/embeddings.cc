#include "protocol/embeddings.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstring>

#include "protocol/json_members.h"
#include "protocol/openrouter_request.h"

namespace turnpike::protocol {
namespace json = boost::json;

namespace {

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

const char kInputShape[] =
    "'input' must be a string, an array of strings, an array of token ids (integers) or an array of arrays of "
    "token ids";

// A token id: a non-negative integer (no tokenizer has 2^32 of them).
std::optional<int64_t> TokenId(const json::value& v) {
  if (v.is_int64() && v.get_int64() >= 0 && v.get_int64() <= UINT32_MAX) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= UINT32_MAX) return static_cast<int64_t>(v.get_uint64());
  return std::nullopt;
}

Result<std::vector<int64_t>> TokenIds(const json::array& a, const std::string& where) {
  std::vector<int64_t> out;
  out.reserve(a.size());
  for (const auto& v : a) {
    auto id = TokenId(v);
    if (!id) return Bad("'" + where + "' must hold token ids: integers from 0 to 4294967295");
    out.push_back(*id);
  }
  return out;
}

Status ReadInputs(const json::value& input, EmbeddingsRequest& r) {
  if (const auto* s = input.if_string()) {
    if (s->empty()) return Bad("'input' must not be an empty string");
    r.inputs.push_back(EmbeddingInput{std::string(*s), {}, false});
    return OkStatus();
  }
  const auto* a = input.if_array();
  if (!a) return Bad(kInputShape);
  if (a->empty()) return Bad("'input' must not be an empty array");
  if (a->size() > kMaxEmbeddingInputs) {
    return Bad("'input' holds " + std::to_string(a->size()) + " inputs; at most " +
               std::to_string(kMaxEmbeddingInputs) + " can be embedded in one request");
  }
  const json::value& first = a->front();
  if (first.is_number()) {  // one input of token ids
    auto ids = TokenIds(*a, "input");
    if (!ids.ok()) return ids.error();
    r.inputs.push_back(EmbeddingInput{{}, std::move(*ids), true});
    return OkStatus();
  }
  for (size_t i = 0; i < a->size(); ++i) {
    const json::value& v = (*a)[i];
    const std::string where = "input[" + std::to_string(i) + "]";
    if (first.is_string() && v.is_string()) {
      if (v.get_string().empty()) return Bad("'" + where + "' must not be an empty string");
      r.inputs.push_back(EmbeddingInput{std::string(v.get_string()), {}, false});
    } else if (first.is_array() && v.is_array()) {
      if (v.get_array().empty()) return Bad("'" + where + "' must not be an empty array of token ids");
      auto ids = TokenIds(v.get_array(), where);
      if (!ids.ok()) return ids.error();
      r.inputs.push_back(EmbeddingInput{{}, std::move(*ids), true});
    } else if (v.is_object()) {
      return Bad("'" + where + "' is an object: multimodal inputs are not supported, only text and token ids");
    } else {
      return Bad(std::string(kInputShape) + " (all of one kind); '" + where + "' is not");
    }
  }
  return OkStatus();
}

std::string Quoted(std::string_view s) { return json::serialize(json::string(s)); }

// The shortest decimal that reads back as `v`, written as JavaScript (and OpenRouter) writes
// numbers: plain from 1e-6 to 1e21, else with an exponent of as few digits as it needs ("1e-7").
void AppendNumber(std::string& out, double v) {
  if (v == 0 || !std::isfinite(v)) {  // -0 is written 0; a provider's value is finite
    out += '0';
    return;
  }
  const double magnitude = std::fabs(v);
  const bool plain = magnitude >= 1e-6 && magnitude < 1e21;
  std::array<char, 64> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v,
                                 plain ? std::chars_format::fixed : std::chars_format::scientific);
  if (ec != std::errc()) {
    out += '0';
    return;
  }
  std::string_view text(buf.data(), static_cast<size_t>(end - buf.data()));
  if (plain) {
    out += text;
    return;
  }
  const size_t e = text.find('e');
  out += text.substr(0, e + 2);  // mantissa, 'e' and the sign
  std::string_view digits = text.substr(e + 2);
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  out += digits;
}

// The IEEE float32 bits of `v`, rounded to the nearest float.
uint32_t Float32Bits(double v) {
  const float f = static_cast<float>(v);
  uint32_t bits = 0;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

std::optional<std::vector<double>> FromBase64Float32(std::string_view text) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const size_t at = kAlphabet.find(c);
    if (at == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (bytes.size() % 4 != 0) return std::nullopt;
  std::vector<double> out;
  out.reserve(bytes.size() / 4);
  for (size_t i = 0; i < bytes.size(); i += 4) {
    uint32_t u = 0;
    for (int k = 3; k >= 0; --k) u = (u << 8) | static_cast<unsigned char>(bytes[i + static_cast<size_t>(k)]);
    float f = 0;
    std::memcpy(&f, &u, sizeof f);
    out.push_back(f);
  }
  return out;
}

}  // namespace

Result<EmbeddingsRequest> ReadEmbeddingsRequest(const json::value& body) {
  const auto* root = body.if_object();
  if (!root) return Bad("The request body must be a JSON object");
  EmbeddingsRequest r;
  const json::value* model = root->if_contains("model");
  if (!model || model->is_null()) {
    // OpenRouter's `models` alone names the model too: its first entry.
    const auto* models = root->if_contains("models");
    if (models && models->is_array() && !models->get_array().empty()) model = &models->get_array().front();
  }
  if (!model) return Bad("'model' is required");
  if (!model->is_string() || model->get_string().empty()) return Bad("'model' must be a non-empty string");
  r.info.model = std::string(model->get_string());
  if (!AllNumbersFinite(body)) return Bad("The request body holds a number too large to represent (beyond 1.8e308)");
  const json::value* input = root->if_contains("input");
  if (!input || input->is_null()) return Bad("'input' is required");
  if (Status read = ReadInputs(*input, r); !read.ok()) return read.error();
  int64_t token_ids = 0;
  for (const auto& in : r.inputs) {
    r.info.prompt_chars += static_cast<int64_t>(in.text.size()) + 4 * static_cast<int64_t>(in.tokens.size());
    token_ids += static_cast<int64_t>(in.tokens.size());
  }
  if (token_ids > kMaxEmbeddingTokens) {
    return Bad("'input' holds " + std::to_string(token_ids) + " tokens; at most " +
               std::to_string(kMaxEmbeddingTokens) + " can be embedded in one request");
  }
  r.info.inputs = static_cast<int64_t>(r.inputs.size());
  r.info.max_tokens = 0;  // an embedding has no output tokens
  if (const auto* f = root->if_contains("encoding_format"); f && !f->is_null()) {
    if (!f->is_string() || (f->get_string() != "float" && f->get_string() != "base64")) {
      return Bad("'encoding_format' must be \"float\" or \"base64\"");
    }
    r.base64 = f->get_string() == "base64";
  }
  if (const auto* d = root->if_contains("dimensions"); d && !d->is_null()) {
    if (d->is_int64() && d->get_int64() > 0) {
      r.dimensions = d->get_int64();
    } else if (d->is_uint64() && d->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
      r.dimensions = static_cast<int64_t>(d->get_uint64());
    } else {
      return Bad("'dimensions' must be a positive integer");
    }
  }
  for (const auto& member : *root) {
    const std::string_view key = member.key();
    if (member.value().is_null() || IsGatewayMember(key)) continue;
    if (key == "model" || key == "input" || key == "encoding_format") continue;
    r.parameters.emplace_back(key);
  }
  return r;
}

std::string EmbeddingsRelayBody(std::string_view client_body, const std::string& upstream_model,
                                const std::vector<std::string>& supported, const std::string& user,
                                bool keep_encoding_format) {
  const std::string kept = RemoveMembers(client_body, [&](std::string_view key, std::string_view) {
    if (key == "model" || key == "input") return false;
    if (key == "encoding_format") return !keep_encoding_format;
    return IsGatewayMember(key) || !EndpointSupports(supported, key);
  });
  auto layout = ScanObject(kept);
  if (!layout) return kept;  // cannot happen for a body ReadEmbeddingsRequest accepted
  std::vector<Edit> edits;
  edits.push_back(SetMember(kept, *layout, "model", Quoted(upstream_model)));
  if (!user.empty() && EndpointSupports(supported, "user"))
    edits.push_back(SetMember(kept, *layout, "user", Quoted(user)));
  return ApplyEdits(kept, std::move(edits));
}

Result<Embeddings> ReadEmbeddingsList(const json::object& list) {
  auto bad = [](std::string what) { return MakeError(ErrorCode::kUpstream, "an embeddings list " + std::move(what)); };
  const auto* data = list.if_contains("data");
  if (!data || !data->is_array()) return bad("without a `data` array");
  Embeddings out;
  out.vectors.resize(data->get_array().size());
  std::vector<bool> seen(out.vectors.size(), false);
  size_t position = 0;
  for (const auto& item : data->get_array()) {
    const auto* o = item.if_object();
    const auto* embedding = o ? o->if_contains("embedding") : nullptr;
    if (!embedding) return bad("item without an `embedding`");
    size_t index = position++;
    if (const auto* i = o->if_contains("index")) {
      if (!i->is_int64() || i->get_int64() < 0 || static_cast<size_t>(i->get_int64()) >= seen.size()) {
        return bad("item with a bad `index`");
      }
      index = static_cast<size_t>(i->get_int64());
    }
    if (seen[index]) return bad("with two items of index " + std::to_string(index));
    seen[index] = true;
    std::vector<double>& v = out.vectors[index];
    if (const auto* s = embedding->if_string()) {
      auto decoded = FromBase64Float32(*s);
      if (!decoded) return bad("item whose base64 embedding is not float32 values");
      v = std::move(*decoded);
    } else if (const auto* a = embedding->if_array()) {
      v.reserve(a->size());
      for (const auto& x : *a) {
        if (!x.is_number()) return bad("item whose embedding holds a non-number");
        v.push_back(x.to_number<double>());
      }
    } else {
      return bad("item whose embedding is neither an array nor a string");
    }
  }
  if (const auto* usage = list.if_contains("usage"); usage && usage->is_object()) {
    if (const auto* p = usage->get_object().if_contains("prompt_tokens"); p && p->is_int64() && p->get_int64() >= 0) {
      out.prompt_tokens = p->get_int64();
    }
  }
  return out;
}

std::string Float32Base64(const std::vector<double>& values) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  bytes.reserve(values.size() * 4);
  for (double v : values) {
    const uint32_t bits = Float32Bits(v);
    for (int k = 0; k < 4; ++k) bytes += static_cast<char>((bits >> (8 * k)) & 0xff);  // little-endian
  }
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (const size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string EncodeEmbeddingsList(const Embeddings& embeddings, bool base64, std::string_view model,
                                 std::string_view usage_json, std::string_view provider, std::string_view id) {
  std::string out = R"({"object":"list","data":[)";
  for (size_t i = 0; i < embeddings.vectors.size(); ++i) {
    if (i > 0) out += ',';
    out += R"({"object":"embedding","embedding":)";
    const std::vector<double>& v = embeddings.vectors[i];
    if (base64) {
      out += '"' + Float32Base64(v) + '"';
    } else {
      out += '[';
      for (size_t k = 0; k < v.size(); ++k) {
        if (k > 0) out += ',';
        AppendNumber(out, v[k]);
      }
      out += ']';
    }
    out += R"(,"index":)" + std::to_string(i) + '}';
  }
  out += R"(],"model":)" + Quoted(model) + R"(,"usage":)" + std::string(usage_json) + R"(,"provider":)" +
         Quoted(provider) + R"(,"id":)" + Quoted(id) + '}';
  return out;
}

}  // namespace turnpike::protocol
