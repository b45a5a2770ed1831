// The canonical chat types: what a client dialect decodes into and what provider adapters
// encode from and decode to (hub and spoke). They speak OpenAI's vocabulary (roles,
// finish_reason values, usage accounting), since that is the dialect clients use; adapters
// translate at the edge. Plain data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace turnpike::protocol {

struct ContentPart {
  enum class Kind { kText, kImage };
  Kind kind = Kind::kText;
  std::string text;       // kText
  std::string image_url;  // kImage: "https://…" or "data:<mime>;base64,<data>", as the client gave it
  std::string detail;     // kImage: "auto" | "low" | "high" | "" (OpenAI's image_url.detail)
};

struct ToolCall {
  std::string id;  // "call_…", "toolu_…"; adapters mint one when the provider gives none
  std::string name;
  std::string arguments;          // JSON text (OpenAI's `arguments` string); "{}" when there are none
  std::string thought_signature;  // Gemini 3's opaque signature for this call; "" if none
};

enum class Role { kSystem, kUser, kAssistant, kTool };  // OpenAI "developer" decodes to kSystem

struct Message {
  Role role = Role::kUser;
  std::vector<ContentPart> content;  // a string content becomes one text part; null/absent → none
  std::vector<ToolCall> tool_calls;  // kAssistant only
  std::string tool_call_id;          // kTool only: the call this message answers
};

struct Tool {
  std::string name;
  std::string description;
  std::string parameters_json;  // the JSON Schema as JSON text; "" when the tool takes none
  bool strict = false;
};

struct ToolChoice {
  enum class Mode { kUnset, kAuto, kNone, kRequired, kFunction };
  Mode mode = Mode::kUnset;
  std::string function;  // kFunction: the tool that must be called
};

struct ResponseFormat {
  enum class Type { kText, kJsonObject, kJsonSchema };
  Type type = Type::kText;
  std::string name;         // kJsonSchema
  std::string schema_json;  // kJsonSchema: the schema as JSON text
  bool strict = false;
};

struct ChatRequest {
  std::string model;  // as the client named it ("anthropic/claude-sonnet-4-5")
  std::vector<Message> messages;
  std::vector<Tool> tools;
  ToolChoice tool_choice;
  std::optional<bool> parallel_tool_calls;
  std::optional<int64_t> max_tokens;  // max_completion_tokens, else max_tokens
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<double> presence_penalty;
  std::optional<double> frequency_penalty;
  std::optional<int64_t> seed;
  std::optional<int64_t> n;
  std::vector<std::string> stop;  // a string `stop` becomes one element
  ResponseFormat response_format;
  std::string reasoning_effort;  // "" | "minimal" | "low" | "medium" | "high"
  std::string user;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
};

// The largest token count a provider's answer is read as having (10^12): far above any real
// answer, and small enough that sums of counts (total_tokens, a day's totals in the request log)
// cannot overflow int64. A provider reporting more is read as reporting this (still billed, and
// the cost saturates: money::Cost).
inline constexpr int64_t kMaxTokenCount = 1'000'000'000'000;

// OpenAI's accounting: prompt_tokens includes cached reads and cache writes; completion_tokens
// includes reasoning. Adapters map provider usage into this (docs/protocols.md §9).
struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;       // prompt tokens read from a cache
  int64_t cache_write_tokens = 0;  // prompt tokens written to a cache (Anthropic)
  int64_t reasoning_tokens = 0;
};

// A whole (non-streaming) answer.
struct ChatResponse {
  std::string id;                      // the provider's id ("msg_…", responseId), or minted
  std::string model;                   // the provider's model string (dated id, modelVersion)
  std::optional<std::string> content;  // joined text; nullopt when there is none
  std::string reasoning;               // thinking text, if the provider returned any
  std::vector<ToolCall> tool_calls;
  std::string finish_reason;  // "stop" | "length" | "tool_calls" | "content_filter"
  std::optional<Usage> usage;
};

// One step of a streamed answer, in order. A decoder emits kStart once first, then any of
// kText / kReasoning / kToolCallStart / kToolCallArgs, then kFinish, then kUsage (the final
// counts; it may come before kFinish for some providers, and more than once: the last wins).
// kError ends the stream.
struct StreamEvent {
  enum class Type { kStart, kText, kReasoning, kToolCallStart, kToolCallArgs, kFinish, kUsage, kError };
  Type type = Type::kText;
  std::string text;               // kText, kReasoning; kToolCallArgs: an arguments fragment
  int tool_index = 0;             // kToolCallStart, kToolCallArgs: OpenAI's tool_calls[].index (0, 1, …)
  std::string tool_id;            // kToolCallStart
  std::string tool_name;          // kToolCallStart
  std::string thought_signature;  // kToolCallStart (Gemini 3)
  std::string finish_reason;      // kFinish
  Usage usage;                    // kUsage
  Error error;                    // kError: code per common/result.h, message from the provider
  std::string id;                 // kStart: the provider's message/response id
  std::string model;              // kStart: the provider's model string
};

}  // namespace turnpike::protocol
