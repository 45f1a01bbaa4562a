#include "fetch/http_source.h"

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

namespace gorleak {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string seconds(uint64_t ms) {
  return ms % 1000 == 0 ? fmt::format("{} s", ms / 1000) : fmt::format("{:.1f} s", ms / 1000.0);
}

// What a server said, made safe for one line on a terminal: tags dropped,
// control bytes and runs of space collapsed, at most 100 characters.
std::string excerpt(std::string_view body) {
  std::string out;
  bool in_tag = false, space = false;
  for (unsigned char c : body) {
    if (c == '<') in_tag = true;
    if (in_tag) {
      if (c == '>') in_tag = false;
      space = !out.empty();
      continue;
    }
    if (c < 0x20 || c == 0x7f || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(c);
    if (out.size() >= 100) {
      out += "…";
      break;
    }
  }
  return out;
}

// Why a status failed, and what to do about it.
std::string status_message(long status, std::string_view body) {
  std::string said = excerpt(body);
  std::string tail = said.empty() ? "" : fmt::format(" (the server said: {})", said);
  switch (status) {
    case 404:
    case 410:
      return fmt::format(
          "HTTP {}: no pprof handler here; the service must `import _ \"net/http/pprof\"` "
          "and serve http.DefaultServeMux on this address (or mount net/http/pprof's handlers "
          "on its own mux)",
          status);
    case 401:
      return fmt::format("HTTP 401 Unauthorized: pass credentials, e.g. -H 'Authorization: "
                         "Bearer TOKEN'{}",
                         tail);
    case 403:
      return fmt::format("HTTP 403 Forbidden: the server refuses this client or these "
                         "credentials (check -H 'Authorization: …' and which addresses may "
                         "reach pprof){}",
                         tail);
    default:
      break;
  }
  if (status >= 500)
    return fmt::format("HTTP {}: the server failed to produce the profile{}", status, tail);
  return fmt::format("HTTP {}: not a goroutine dump{}", status, tail);
}

// Owns one transfer: an easy handle driven by a private multi handle, so
// the body can be pulled a window at a time.
class Transfer {
 public:
  Transfer() {
    global_init();
    easy_ = curl_easy_init();
    multi_ = curl_multi_init();
    errbuf_[0] = '\0';
  }
  ~Transfer() {
    if (multi_ && easy_ && added_) curl_multi_remove_handle(multi_, easy_);
    if (easy_) curl_easy_cleanup(easy_);
    if (multi_) curl_multi_cleanup(multi_);
    curl_slist_free_all(headers_);
  }
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  bool start(const std::string& url, const FetchOptions& o, std::string* error) {
    if (!easy_ || !multi_) {
      *error = "cannot initialise libcurl";
      return false;
    }
    url_ = url;
    options_ = o;
    CURL* e = easy_;
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf_);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, o.max_redirects);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
    curl_easy_setopt(e, CURLOPT_USERAGENT, "gorleak/" GORLEAK_VERSION);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024);  // fewer, larger writes
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout_ms));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_ms));
    if (o.insecure) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!o.cacert.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, o.cacert.c_str());
    for (const std::string& h : o.headers) headers_ = curl_slist_append(headers_, h.c_str());
    if (headers_) curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
    if (curl_multi_add_handle(multi_, e) != CURLM_OK) {
      *error = "cannot start the transfer (libcurl)";
      return false;
    }
    added_ = true;
    return true;
  }

  // Runs the transfer until `want` unserved body bytes are buffered or it
  // ends. One curl_multi_perform can hand over many writes when the
  // socket is full; past kMaxBuffered the transfer pauses (on_body) until
  // the reader has taken what is buffered, so memory stays at about 1 MiB.
  void pump(size_t want) {
    if (paused_ && buffered() == 0) {
      paused_ = false;
      curl_easy_pause(easy_, CURLPAUSE_CONT);  // may deliver the held write at once
    }
    while (!done_ && buffered() < want) {
      int running = 0;
      if (curl_multi_perform(multi_, &running) != CURLM_OK) {
        finish(CURLE_FAILED_INIT);
        break;
      }
      if (running == 0) {
        int left = 0;
        CURLcode rc = CURLE_OK;
        while (CURLMsg* m = curl_multi_info_read(multi_, &left))
          if (m->msg == CURLMSG_DONE) rc = m->data.result;
        finish(rc);
        break;
      }
      if (buffered() >= want) break;
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
  }

  size_t buffered() const { return pending_.size() - served_; }
  bool done() const { return done_; }
  CURLcode result() const { return result_; }

  // The next buffered bytes, in place; they stay valid until the next call.
  long next(const char** data, std::string* error) {
    if (served_ == pending_.size()) {
      pending_.clear();
      served_ = 0;
    }
    pump(1);
    if (buffered() == 0) {
      if (result_ == CURLE_OK) return 0;
      *error = failure_message();
      return -1;
    }
    *data = pending_.data() + served_;
    long n = static_cast<long>(buffered());
    served_ = pending_.size();
    return n;
  }

  long status() const {
    long code = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }
  std::string content_type() const {
    char* ct = nullptr;
    curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &ct);
    return ct ? lower(ct) : std::string();
  }
  std::string_view buffered_text() const {
    return std::string_view(pending_).substr(served_);
  }

  // One line for a failed transfer: the cause in plain words, then the fix.
  std::string failure_message() const {
    std::string detail = errbuf_[0] ? std::string(errbuf_) : curl_easy_strerror(result_);
    long os_errno = 0;
    curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &os_errno);
    std::string where = host_port();
    switch (result_) {
      case CURLE_COULDNT_RESOLVE_HOST:
        return fmt::format("cannot resolve the host name in {} ({})", where, detail);
      case CURLE_COULDNT_RESOLVE_PROXY:
        return fmt::format("cannot resolve the proxy's host name ({}); check http_proxy / "
                           "https_proxy / no_proxy",
                           detail);
      case CURLE_COULDNT_CONNECT:
        if (os_errno == ECONNREFUSED)
          return fmt::format("connection refused: nothing listens on {} (is the service "
                             "running, and is this its pprof address?)",
                             where);
        return fmt::format("cannot connect to {}: {}", where,
                           os_errno ? std::strerror(static_cast<int>(os_errno)) : detail);
      case CURLE_OPERATION_TIMEDOUT:
        if (body_bytes_ > 0)
          return fmt::format("timed out after {} with {} bytes of the body read: the server "
                             "sends too slowly or stalled (raise --timeout); the dump is cut "
                             "short",
                             seconds(options_.timeout_ms), body_bytes_);
        if (!connected())
          return fmt::format("no connection to {} within {} (--connect-timeout)", where,
                             seconds(options_.connect_timeout_ms));
        return fmt::format("no answer within {} (--timeout): the server accepted the "
                           "connection but sent nothing",
                           seconds(options_.timeout_ms));
      case CURLE_PEER_FAILED_VERIFICATION:
        return fmt::format("TLS: the server's certificate is not trusted ({}); for a "
                           "self-signed certificate pass --cacert FILE, or --insecure to skip "
                           "the check",
                           detail);
      case CURLE_SSL_CONNECT_ERROR:
        return fmt::format("TLS handshake with {} failed ({}); if the service speaks plain "
                           "HTTP, use an http:// URL",
                           where, detail);
      case CURLE_SSL_CACERT_BADFILE:
        return fmt::format("TLS: cannot read the CA file given to --cacert ({})", detail);
      case CURLE_TOO_MANY_REDIRECTS:
        return fmt::format("more than {} redirects (a redirect loop?)", options_.max_redirects);
      case CURLE_GOT_NOTHING:
        return fmt::format("the server at {} closed the connection without an answer "
                           "(an HTTPS port asked with http://?)",
                           where);
      case CURLE_PARTIAL_FILE:
      case CURLE_RECV_ERROR:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
        return fmt::format("the connection broke off after {} bytes of the body, before its "
                           "end ({}): the dump is cut short",
                           body_bytes_, detail);
      case CURLE_BAD_CONTENT_ENCODING:
        return fmt::format("the body's Content-Encoding is corrupt ({})", detail);
      case CURLE_UNSUPPORTED_PROTOCOL:
        return "only http:// and https:// URLs can be fetched";
      case CURLE_URL_MALFORMAT:
        return fmt::format("malformed URL ({})", detail);
      default:
        return fmt::format("transfer failed: {}", detail);
    }
  }

 private:
  static size_t on_body(char* p, size_t size, size_t n, void* self) {
    auto* t = static_cast<Transfer*>(self);
    if (t->buffered() >= kMaxBuffered) {
      t->paused_ = true;  // curl keeps this write and gives it again after CURLPAUSE_CONT
      return CURL_WRITEFUNC_PAUSE;
    }
    t->pending_.append(p, size * n);
    t->body_bytes_ += size * n;
    return size * n;
  }

  void finish(CURLcode rc) {
    done_ = true;
    result_ = rc;
  }

  bool connected() const {
    curl_off_t t = 0;
    curl_easy_getinfo(easy_, CURLINFO_CONNECT_TIME_T, &t);
    return t > 0;
  }

  std::string host_port() const {
    UrlParts parts;
    std::string ignored;
    if (!parse_url(url_, &parts, &ignored)) return "the server";
    std::string port = parts.port;
    if (port.empty()) port = parts.scheme == "https" ? "443" : "80";
    return parts.host + ":" + port;
  }

  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;
  curl_slist* headers_ = nullptr;
  static constexpr size_t kMaxBuffered = size_t{1} << 20;
  bool added_ = false;
  bool paused_ = false;
  bool done_ = false;
  CURLcode result_ = CURLE_OK;
  std::string url_;
  FetchOptions options_;
  std::string pending_;
  size_t served_ = 0;
  uint64_t body_bytes_ = 0;
  char errbuf_[CURL_ERROR_SIZE];
};

class HttpBodySource : public ByteSource {
 public:
  explicit HttpBodySource(std::unique_ptr<Transfer> t) : t_(std::move(t)) {}
  long read(char* buf, size_t n, std::string* error) override {
    if (left_ == 0) {
      long got = t_->next(&window_, error);
      if (got <= 0) return got;
      left_ = static_cast<size_t>(got);
    }
    size_t k = std::min(n, left_);
    std::memcpy(buf, window_, k);
    window_ += k;
    left_ -= k;
    return static_cast<long>(k);
  }
  // The transfer's own buffer, in place (after what read() left of it).
  long next_window(const char** data, std::string* error) override {
    if (left_ > 0) {
      *data = window_;
      long k = static_cast<long>(left_);
      left_ = 0;
      return k;
    }
    return t_->next(data, error);
  }

 private:
  std::unique_ptr<Transfer> t_;
  const char* window_ = nullptr;  // the transfer's current window, unserved part
  size_t left_ = 0;
};

bool secret_name(std::string_view name) {
  std::string n = lower(name);
  for (const char* word : {"token", "secret", "pass", "key", "auth", "sig", "credential",
                           "session", "cookie"})
    if (n.find(word) != std::string::npos) return true;
  return false;
}

// Owns a CURLU handle.
struct Url {
  CURLU* h;
  Url() : h(curl_url()) {}
  ~Url() { curl_url_cleanup(h); }
  Url(const Url&) = delete;
  Url& operator=(const Url&) = delete;
  std::string get(CURLUPart part, unsigned flags = 0) const {
    char* v = nullptr;
    if (curl_url_get(h, part, &v, flags) != CURLUE_OK || v == nullptr) return {};
    std::string out(v);
    curl_free(v);
    return out;
  }
  void set(CURLUPart part, const std::string& v) {
    curl_url_set(h, part, v.empty() ? nullptr : v.c_str(), 0);
  }
};

}  // namespace

HttpResponse http_get(const std::string& url, const FetchOptions& options) {
  HttpResponse r;
  auto t = std::make_unique<Transfer>();
  if (!t->start(url, options, &r.error)) return r;
  t->pump(1);
  r.status = t->status();
  r.content_type = t->content_type();
  if (t->buffered() == 0 && t->done() && t->result() != CURLE_OK) {
    r.error = t->failure_message();
    return r;
  }
  if (r.status < 200 || r.status >= 300) {
    t->pump(4096);  // enough of the error page to quote
    r.error = status_message(r.status, t->buffered_text());
    return r;
  }
  r.body = std::make_unique<HttpBodySource>(std::move(t));
  return r;
}

bool parse_url(std::string_view url, UrlParts* out, std::string* error) {
  global_init();
  Url u;
  if (!u.h) {
    *error = "cannot initialise libcurl";
    return false;
  }
  CURLUcode rc = curl_url_set(u.h, CURLUPART_URL, std::string(url).c_str(), 0);
  if (rc != CURLUE_OK) {
    *error = fmt::format("not a URL: {}", curl_url_strerror(rc));
    return false;
  }
  out->scheme = u.get(CURLUPART_SCHEME);
  out->user = u.get(CURLUPART_USER);
  out->password = u.get(CURLUPART_PASSWORD);
  out->host = u.get(CURLUPART_HOST);
  out->port = u.get(CURLUPART_PORT);
  out->path = u.get(CURLUPART_PATH);
  out->query = u.get(CURLUPART_QUERY);
  out->fragment = u.get(CURLUPART_FRAGMENT);
  return true;
}

std::string format_url(const UrlParts& p) {
  global_init();
  Url u;
  u.set(CURLUPART_SCHEME, p.scheme);
  u.set(CURLUPART_HOST, p.host);
  u.set(CURLUPART_PORT, p.port);
  u.set(CURLUPART_USER, p.user);
  u.set(CURLUPART_PASSWORD, p.password);
  u.set(CURLUPART_PATH, p.path.empty() ? "/" : p.path);
  u.set(CURLUPART_QUERY, p.query);
  u.set(CURLUPART_FRAGMENT, p.fragment);
  return u.get(CURLUPART_URL);
}

std::string mask_url(std::string_view url) {
  UrlParts p;
  std::string error;
  if (!parse_url(url, &p, &error))
    return url.find('@') == std::string_view::npos ? std::string(url)
                                                   : "(url hidden: cannot parse it)";
  if (!p.password.empty()) p.password = "***";
  if (!p.query.empty()) {
    std::string q;
    size_t start = 0;
    while (start <= p.query.size()) {
      size_t amp = p.query.find('&', start);
      if (amp == std::string::npos) amp = p.query.size();
      std::string_view pair = std::string_view(p.query).substr(start, amp - start);
      size_t eq = pair.find('=');
      if (!q.empty()) q += '&';
      if (eq != std::string_view::npos && secret_name(pair.substr(0, eq)))
        q += std::string(pair.substr(0, eq)) + "=***";
      else
        q += pair;
      start = amp + 1;
    }
    p.query = q;
  }
  return format_url(p);
}

bool looks_like_url(std::string_view text) {
  std::string head = lower(text.substr(0, 8));
  return head.rfind("http://", 0) == 0 || head.rfind("https://", 0) == 0;
}

}  // namespace gorleak
