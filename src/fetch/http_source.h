// HTTP(S) for the fetch stage, through libcurl: a GET whose body is one more
// ByteSource, pulled window by window as it downloads (so sniffing, gzip
// and the line reader work on it as on a file, and memory stays bounded
// whatever the body's size), plus URL parsing and masking with curl's URL
// API. curl.h stays inside http_source.cpp; nothing here throws, and curl's
// result codes never leave it: every failure is one line that names the
// cause and, where there is one, the fix.
//
// What libcurl brings, with its own defaults: redirects (followed, at most
// `max_redirects`), TLS verified against the system CA store (or `cacert`),
// proxies from the environment (http_proxy, https_proxy, no_proxy), HTTP/2
// over TLS when the server offers it, and Content-Encoding gzip/deflate
// decoded on the fly.
//
// Options, with their defaults and reasons:
//
//   headers            none       "Name: value" lines sent as given (curl -H):
//                                 a bearer token, a cookie, a Host override.
//   timeout_ms         60 s       the whole transfer (curl --max-time). A pprof
//                                 dump is at most 64 MiB; a server that sends
//                                 too slowly or stalls must not hang a watcher.
//                                 0: no limit.
//   connect_timeout_ms 10 s       connecting, TLS handshake included.
//   insecure           false      skip TLS certificate checks (curl -k); only
//                                 when asked.
//   cacert             ""         a PEM bundle to trust instead of the system
//                                 store (a self-signed service certificate).
//   max_redirects      10         as browsers; a loop fails with a message.
//
// There is no size cap: the body streams, so size costs time, not memory.
// Each http_get() opens its own connection (no reuse across calls): the
// pprof goroutine that serves it is then always a new goroutine, which
// model/snapshot.h's restart detection relies on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "read/byte_source.h"

namespace gorleak {

struct FetchOptions {
  std::vector<std::string> headers;  // "Name: value"
  uint64_t timeout_ms = 60'000;
  uint64_t connect_timeout_ms = 10'000;
  bool insecure = false;
  std::string cacert;
  long max_redirects = 10;
};

struct HttpResponse {
  // The body of a 2xx answer, streaming; null when `error` is set. Its
  // read() fails with a one-line message when the transfer breaks off
  // (connection closed mid-body, timeout, corrupt encoding).
  std::unique_ptr<ByteSource> body;
  long status = 0;           // last response's HTTP status, 0 when none came
  std::string content_type;  // as the server sent it, lower-cased
  std::string error;         // one line, no URL: the caller adds it
  bool not_found() const { return status == 404 || status == 410; }
};

// GETs `url` and waits until its body starts (or the transfer ends). A
// non-2xx status is an error, with a short, sanitised excerpt of the body
// when the server explained itself.
HttpResponse http_get(const std::string& url, const FetchOptions& options);

// A URL split by libcurl's parser. Empty strings are absent parts.
struct UrlParts {
  std::string scheme, user, password, host, port, path, query, fragment;
};
// False with a one-line *error when curl cannot parse `url`.
bool parse_url(std::string_view url, UrlParts* out, std::string* error);
// The parts put back together (curl's normalised form).
std::string format_url(const UrlParts& parts);

// `url` as reports show it: a password in it and the values of query
// parameters that look like credentials (token, key, secret, password,
// auth, sig, session…) become "***". Unparseable text is returned whole
// only when it has no '@' (else "(url hidden: cannot parse it)").
std::string mask_url(std::string_view url);

// http:// or https://, any case.
bool looks_like_url(std::string_view text);

}  // namespace gorleak
