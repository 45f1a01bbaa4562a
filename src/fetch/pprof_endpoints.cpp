#include "fetch/pprof_endpoints.h"

#include <vector>

#include "fetch/http_source.h"

namespace gorleak {

namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// `query` with its debug parameter set to `level` (added when missing).
std::string with_debug(std::string_view query, std::string_view level) {
  std::string out;
  bool set = false;
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(start, amp - start);
    if (!out.empty()) out += '&';
    if (pair == "debug" || pair.rfind("debug=", 0) == 0) {
      out += "debug=";
      out += level;
      set = true;
    } else {
      out += pair;
    }
    start = amp + 1;
  }
  if (!set) out += std::string(out.empty() ? "" : "&") + "debug=" + std::string(level);
  return out;
}

bool has_debug(std::string_view query) {
  return query == "debug" || query.rfind("debug=", 0) == 0 ||
         query.find("&debug=") != std::string_view::npos;
}

}  // namespace

bool pprof_endpoints(std::string_view url, PprofEndpoints* out, std::string* error) {
  if (!looks_like_url(url)) {
    *error = "not an http:// or https:// URL";
    return false;
  }
  UrlParts p;
  if (!parse_url(url, &p, error)) return false;
  if (p.host.empty()) {
    *error = "the URL names no host";
    return false;
  }
  std::string path = p.path;
  if (path.empty() || path == "/") path = "/debug/pprof/goroutine";
  else if (ends_with(path, "/debug/pprof")) path += "/goroutine";
  else if (ends_with(path, "/debug/pprof/")) path += "goroutine";

  *out = PprofEndpoints{};
  if (ends_with(path, "/goroutine")) {
    UrlParts dump = p;
    dump.path = path;
    if (!has_debug(p.query)) dump.query = with_debug(p.query, "2");
    out->dump = format_url(dump);
    UrlParts counts = dump;
    counts.query = with_debug(dump.query, "1");
    out->counts = format_url(counts);
    UrlParts leak = counts;
    leak.path = path + "leak";
    out->leak = format_url(leak);
  } else {
    out->dump = std::string(url);
  }
  out->shown = mask_url(out->dump);
  return true;
}

}  // namespace gorleak
