#include "cli/fetch_options.h"

#include <cmath>

#include <fmt/format.h>

#include "cli/options.h"

namespace gorleak::cli {

void add_fetch_options(po::options_description& desc, FetchArgs* o) {
  desc.add_options()
      ("header,H", po::value<std::vector<std::string>>(&o->headers)->value_name("'NAME: VALUE'")
                       ->composing(),
       "URLs: send this HTTP header (repeatable), e.g. -H 'Authorization: Bearer TOKEN'")
      ("timeout", po::value<std::string>(&o->timeout)->value_name("DURATION")->default_value("60s"),
       "URLs: give up on a transfer after this long (0: never)")
      ("connect-timeout",
       po::value<std::string>(&o->connect_timeout)->value_name("DURATION")->default_value("10s"),
       "URLs: give up connecting (TLS handshake included) after this long")
      ("insecure,k", po::bool_switch(&o->insecure),
       "URLs: do not verify the server's TLS certificate")
      ("cacert", po::value<std::string>(&o->cacert)->value_name("FILE"),
       "URLs: trust the CA certificates in this PEM file instead of the system's")
      ("no-leak-profile", po::bool_switch(&o->no_leak_profile),
       "URLs: do not fetch /debug/pprof/goroutineleak (Go 1.26+), which runs a "
       "leak-detecting GC in the service");
}

bool make_fetch_options(const FetchArgs& in, FetchDumpOptions* out, std::string* error) {
  for (const std::string& h : in.headers) {
    size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || h.find_first_of("\r\n") != std::string::npos) {
      *error = fmt::format("--header: expected 'Name: value', got '{}'", h);
      return false;
    }
  }
  double timeout = 0, connect = 0;
  if (!parse_duration(in.timeout, "--timeout", &timeout, error) ||
      !parse_duration(in.connect_timeout, "--connect-timeout", &connect, error))
    return false;
  out->http.headers = in.headers;
  out->http.timeout_ms = static_cast<uint64_t>(std::llround(timeout * 1000));
  out->http.connect_timeout_ms = static_cast<uint64_t>(std::llround(connect * 1000));
  out->http.insecure = in.insecure;
  out->http.cacert = in.cacert;
  out->leak_profile = !in.no_leak_profile;
  return true;
}

}  // namespace gorleak::cli
