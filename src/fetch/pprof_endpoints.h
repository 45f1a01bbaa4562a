// Which URLs to fetch for the URL a user names. `gorleak http://host:6060`
// means the goroutine profile of net/http/pprof; the same service also
// serves the complete counts (?debug=1) that a debug=2 dump cut at 64 MiB
// lacks, and on Go 1.26+ the goroutineleak profile.
//
//   http://host:6060, http://host:6060/      → /debug/pprof/goroutine?debug=2
//   …/debug/pprof, …/debug/pprof/            → …/debug/pprof/goroutine?debug=2
//   …/debug/pprof/goroutine                  → ?debug=2 added (other query kept)
//   …/debug/pprof/goroutine?debug=1 (or =2)  → as given
//   anything else (a saved dump on a file server, a proxy path) → as given,
//   with no sibling endpoints.
//
// Siblings of a `…/goroutine` endpoint: `counts` is the same URL with
// debug=1, `leak` is `…/goroutineleak?debug=1` (a count profile: cheaper than
// debug=2, and joined to the dump by the cross-form signature).
#pragma once

#include <string>
#include <string_view>

namespace gorleak {

struct PprofEndpoints {
  std::string dump;    // what to fetch and analyse
  std::string counts;  // debug=1 of the same profile, "" when unknown
  std::string leak;    // the goroutineleak profile, "" when unknown
  std::string shown;   // `dump` with credentials masked, for reports
};

// False with a one-line *error when `url` is not a usable http(s) URL.
bool pprof_endpoints(std::string_view url, PprofEndpoints* out, std::string* error);

}  // namespace gorleak
