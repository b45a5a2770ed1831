// The libcurl upstream client (net/upstream_backend.h): libcurl's multi-socket API driven by the
// Asio loop. Serves what the native client cannot (an outbound proxy) and upstream.client = "curl".
#include "net/upstream_backend.h"

#include <curl/curl.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unordered_map>

#include "net/curl_request.h"
#include "net/deadlines.h"

namespace turnpike::net {

using asio::awaitable;
using std::chrono::milliseconds;

// Unread body bytes past which a transfer pauses until the reader catches up.
constexpr size_t kHighWater = 256 << 10;

// libcurl timeouts at least this long are left to the loop's coarse sweeper (late by at most a
// tick, which libcurl tolerates: it re-checks its own clock); shorter ones (happy eyeballs, name
// resolution polls) get the precise timer.
constexpr milliseconds kCoarseCurlTimeout{1000};

bool InitCurl() { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }

namespace {

struct SocketWatch {
  explicit SocketWatch(asio::io_context& loop, curl_socket_t s) : sd(loop, s) {}
  asio::posix::stream_descriptor sd;
  int what = 0;
  bool reading = false;
  bool writing = false;
  bool removed = false;
};

Error CurlError(CURLcode code, bool got_head) {
  std::string what = curl_easy_strerror(code);
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return MakeError(ErrorCode::kTimeout, "upstream timed out: " + what);
  }
  if (got_head) return MakeError(ErrorCode::kUpstream, "upstream connection broke mid-response: " + what);
  return MakeError(ErrorCode::kUpstream, "upstream request failed: " + what);
}

}  // namespace

struct CurlClient : std::enable_shared_from_this<CurlClient> {
  CurlClient(asio::io_context& l, const config::UpstreamOptions& o)
      : loop(l), options(o), sweeper(DeadlineSweeper::For(l)), timer(l), coarse_timeout(sweeper, [this] {
          OnCurlDeadline();
        }) {
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlClient::OnSocket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlClient::OnTimer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 1024L);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(o.max_connections_per_host));
  }
  ~CurlClient() {
    for (auto& [s, w] : sockets) {
      boost::system::error_code ec;
      w->removed = true;
      w->sd.cancel(ec);
      w->sd.release();
    }
    curl_multi_cleanup(multi);
  }

  static int OnSocket(CURL*, curl_socket_t s, int what, void* userp, void*) {
    auto* self = static_cast<CurlClient*>(userp);
    if (what == CURL_POLL_REMOVE) {
      if (auto it = self->sockets.find(s); it != self->sockets.end()) {
        boost::system::error_code ec;
        it->second->removed = true;
        it->second->sd.cancel(ec);
        it->second->sd.release();  // libcurl owns and closes the descriptor
        self->sockets.erase(it);
      }
      return 0;
    }
    auto& w = self->sockets[s];
    if (!w) w = std::make_shared<SocketWatch>(self->loop, s);
    w->what = what;
    self->Arm(s, w);
    return 0;
  }

  // libcurl's one timeout for the whole multi handle; each call replaces the previous one. It
  // asks for 0 ms (run now) on every new transfer and unpause, and for its connect and
  // keep-alive timeouts often: none of this may cost a timer syscall per request. So 0 ms is a
  // post, long timeouts go to the coarse sweeper, and the precise timer is re-armed only when a
  // short timeout is earlier than the one it is already armed for.
  static int OnTimer(CURLM*, long timeout_ms, void* userp) {
    static_cast<CurlClient*>(userp)->SetCurlTimeout(timeout_ms);
    return 0;
  }

  void SetCurlTimeout(long timeout_ms) {
    coarse_timeout.Disarm();
    curl_due = kNever;
    if (timeout_ms < 0) return;  // a precise timer still armed finds nothing due and does nothing
    if (timeout_ms == 0) {
      // Not curl_multi_socket_action here: libcurl forbids calling it from its own callbacks.
      if (timeout_posted) return;
      timeout_posted = true;
      asio::post(loop, [weak = weak_from_this()] {
        auto me = weak.lock();
        if (!me) return;
        me->timeout_posted = false;
        me->Action(CURL_SOCKET_TIMEOUT, 0);
      });
      return;
    }
    curl_due = std::chrono::steady_clock::now() + milliseconds(timeout_ms);
    ScheduleCurlDue();
  }

  void ScheduleCurlDue() {
    auto now = std::chrono::steady_clock::now();
    if (curl_due - now >= kCoarseCurlTimeout) {
      coarse_timeout.ExpireAt(curl_due);
      return;
    }
    if (precise_at != kNever && precise_at <= curl_due) return;  // fires first; re-checks then
    precise_at = curl_due;
    timer.expires_at(curl_due);
    timer.async_wait([weak = weak_from_this(), generation = ++precise_generation](boost::system::error_code ec) {
      auto me = weak.lock();
      if (ec || !me || generation != me->precise_generation) return;
      me->precise_at = kNever;
      me->OnCurlDeadline();
    });
  }

  void OnCurlDeadline() {
    if (curl_due == kNever) return;
    if (curl_due > std::chrono::steady_clock::now()) {
      ScheduleCurlDue();  // libcurl moved its timeout later since this was armed
      return;
    }
    curl_due = kNever;
    Action(CURL_SOCKET_TIMEOUT, 0);
  }

  void Arm(curl_socket_t s, const std::shared_ptr<SocketWatch>& w) {
    auto weak = weak_from_this();
    // One wait per direction libcurl asked for, unless one is pending already.
    auto wait = [&](int poll, int select, bool SocketWatch::*pending, asio::posix::descriptor_base::wait_type type) {
      if (!(w->what & poll) || (*w).*pending) return;
      (*w).*pending = true;
      w->sd.async_wait(type, [weak, s, w, poll, select, pending](boost::system::error_code ec) {
        (*w).*pending = false;
        auto me = weak.lock();
        if (ec || !me || w->removed || !(w->what & poll)) return;
        me->Action(s, select);
        if (!w->removed) me->Arm(s, w);
      });
    };
    wait(CURL_POLL_IN, CURL_CSELECT_IN, &SocketWatch::reading, asio::posix::descriptor_base::wait_read);
    wait(CURL_POLL_OUT, CURL_CSELECT_OUT, &SocketWatch::writing, asio::posix::descriptor_base::wait_write);
  }

  void Action(curl_socket_t s, int events) {
    int running = 0;
    curl_multi_socket_action(multi, s, events, &running);
    CheckDone();
  }

  void CheckDone();

  asio::io_context& loop;
  config::UpstreamOptions options;
  DeadlineSweeper& sweeper;
  // libcurl's timeout: when it is due, and the two ways of waiting for it.
  SteadyTime curl_due = kNever;
  asio::steady_timer timer;  // the precise one, for timeouts under kCoarseCurlTimeout
  SteadyTime precise_at = kNever;
  uint64_t precise_generation = 0;
  Deadline coarse_timeout;
  bool timeout_posted = false;
  CURLM* multi = nullptr;
  std::unordered_map<curl_socket_t, std::shared_ptr<SocketWatch>> sockets;
};

namespace {

class Call final : public UpstreamCall {
 public:
  Call(std::shared_ptr<CurlClient> client, UpstreamRequest request)
      : client_(std::move(client)), request_(std::move(request)), wake_(client_->sweeper) {}

  ~Call() override {
    Detach();
    if (easy_) curl_easy_cleanup(easy_);
    if (header_list_) curl_slist_free_all(header_list_);
  }

  void Begin() {
    const auto& o = client_->options;
    easy_ = curl_easy_init();
    curl_easy_setopt(easy_, CURLOPT_URL, request_.url.c_str());
    curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");  // never file://, gopher:// …
    curl_easy_setopt(easy_, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_ms));
    curl_easy_setopt(easy_, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Replaces the system CAs rather than adding to them; only tests set it.
    if (!o.extra_ca_file.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, o.extra_ca_file.c_str());
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Call::OnWrite);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &Call::OnHeader);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    SetMethodAndBody(easy_, request_.method, request_.body);
    for (const auto& h : request_.headers) {
      header_list_ = curl_slist_append(header_list_, (h.name + ": " + h.value).c_str());
    }
    header_list_ = curl_slist_append(header_list_, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, header_list_);
    started_at_ = std::chrono::steady_clock::now();
    if (curl_multi_add_handle(client_->multi, easy_) == CURLM_OK) {
      attached_ = true;
    } else {
      Finish(CURLE_FAILED_INIT);
    }
  }

  awaitable<Result<ResponseHead>> ReadHead() override {
    auto deadline = started_at_ + milliseconds(client_->options.first_byte_timeout_ms);
    while (!head_done_ && !done_ && !cancelled_) {
      if (!co_await WaitUntil(deadline)) {
        Cancel();
        co_return MakeError(ErrorCode::kTimeout, "upstream sent no response within " +
                                                     std::to_string(client_->options.first_byte_timeout_ms) + " ms");
      }
    }
    if (cancelled_) co_return MakeError(ErrorCode::kConflict, "cancelled");
    if (!head_done_) {
      if (result_ == CURLE_OK) co_return MakeError(ErrorCode::kUpstream, "upstream sent no response head");
      co_return CurlError(result_, false);
    }
    co_return ResponseHead{status_, headers_};
  }

  awaitable<Result<std::string>> ReadSome() override {
    for (;;) {
      if (cancelled_) co_return MakeError(ErrorCode::kConflict, "cancelled");
      if (!buffer_.empty()) {
        std::string out;
        out.swap(buffer_);
        Resume();
        co_return out;
      }
      if (done_) {
        if (result_ == CURLE_OK) co_return std::string();
        co_return CurlError(result_, true);
      }
      Resume();
      // Unpausing can deliver buffered data, or finish, at once (before anyone waits to be woken).
      if (!buffer_.empty() || done_ || cancelled_) continue;
      auto deadline = std::chrono::steady_clock::now() + milliseconds(client_->options.idle_timeout_ms);
      if (!co_await WaitUntil(deadline) && buffer_.empty() && !done_) {
        Cancel();
        co_return MakeError(ErrorCode::kTimeout,
                            "upstream went silent for " + std::to_string(client_->options.idle_timeout_ms) + " ms");
      }
    }
  }

  awaitable<Result<std::string>> ReadAll() override {
    std::string all;
    for (;;) {
      auto piece = co_await ReadSome();
      if (!piece.ok()) co_return piece.error();
      if (piece->empty()) co_return all;
      all += *piece;
      if (static_cast<int64_t>(all.size()) > client_->options.max_response_bytes) {
        Cancel();
        co_return MakeError(ErrorCode::kTooLarge, "upstream response is larger than the configured limit");
      }
    }
  }

  void Cancel() override {
    if (cancelled_ || done_) {
      cancelled_ = true;
      Detach();
      return;
    }
    cancelled_ = true;
    Detach();
    wake_.Wake();
  }

  // Called by the client when libcurl reports the transfer complete.
  void Finish(CURLcode result) {
    attached_ = false;
    done_ = true;
    result_ = result;
    wake_.Wake();
  }

 private:
  void Detach() {
    if (attached_) {
      curl_multi_remove_handle(client_->multi, easy_);
      attached_ = false;
    }
  }

  void Resume() {
    if (paused_ && attached_) {
      paused_ = false;
      curl_easy_pause(easy_, CURLPAUSE_CONT);
    }
  }

  // Waits for a wake-up (true) or the deadline (false), which the loop's sweeper keeps to
  // within a tick.
  awaitable<bool> WaitUntil(SteadyTime deadline) { return wake_.Wait(deadline); }

  static size_t OnWrite(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<Call*>(user);
    size_t n = size * count;
    if (self->buffer_.size() >= kHighWater) {
      self->paused_ = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    self->head_done_ = true;
    self->buffer_.append(data, n);
    self->wake_.Wake();
    return n;
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<Call*>(user);
    size_t n = size * count;
    std::string_view line(data, n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.starts_with("HTTP/")) {
      self->headers_.clear();
    } else if (line.empty()) {
      long code = 0;
      curl_easy_getinfo(self->easy_, CURLINFO_RESPONSE_CODE, &code);
      if (code >= 200) {
        self->status_ = static_cast<int>(code);
        self->head_done_ = true;
        self->wake_.Wake();
      }
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      self->headers_.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    return n;
  }

  std::shared_ptr<CurlClient> client_;
  UpstreamRequest request_;
  Waiter wake_;  // the reading coroutine's wake-up: a post, not a timer
  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  std::chrono::steady_clock::time_point started_at_;
  int status_ = 0;
  Headers headers_;
  std::string buffer_;
  CURLcode result_ = CURLE_OK;
  bool attached_ = false;
  bool head_done_ = false;
  bool done_ = false;
  bool paused_ = false;
  bool cancelled_ = false;
};

}  // namespace

void CurlClient::CheckDone() {
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &pending)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    CURLcode result = msg->data.result;
    Call* call = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&call));
    curl_multi_remove_handle(multi, easy);
    if (call) call->Finish(result);
  }
}

namespace {

class CurlUpstream final : public UpstreamBackend {
 public:
  CurlUpstream(asio::io_context& loop, const config::UpstreamOptions& options)
      : client_(std::make_shared<CurlClient>(loop, options)) {}

  std::shared_ptr<UpstreamCall> Start(UpstreamRequest request) override {
    auto call = std::make_shared<Call>(client_, std::move(request));
    call->Begin();
    return call;
  }

 private:
  std::shared_ptr<CurlClient> client_;
};

}  // namespace

std::unique_ptr<UpstreamBackend> MakeCurlUpstream(asio::io_context& loop, const config::UpstreamOptions& options) {
  return std::make_unique<CurlUpstream>(loop, options);
}

}  // namespace turnpike::net
