// The fetch stage's front door: a goroutine dump from a running service,
// loaded as a file would be (pipeline/load.h), plus what only a live
// service can add:
//
// - a debug=2 dump that stops at Go's 64 MiB limit is completed from the
//   same service's ?debug=1 profile (diff/join_profiles.h: complete counts,
//   joined to the debug=2 groups by the cross-form signature);
// - on Go 1.26+, the goroutineleak profile marks the goroutines the runtime
//   proved leaked, so the findings covering them rest on that proof; a
//   service that does not serve it gets one note saying so.
//
// Errors are values: a fetch that fails before any goroutine arrives gives
// `load.ok == false` and one error Diagnostic naming the URL (credentials
// masked) and the cause; one that breaks off mid-body keeps what was read,
// with the snapshot marked truncated and the error Diagnostic alongside.
#pragma once

#include <string>

#include "fetch/http_source.h"
#include "model/catalog.h"
#include "pipeline/load.h"

namespace gorleak {

struct FetchDumpOptions {
  FetchOptions http;
  bool leak_profile = true;  // fetch /debug/pprof/goroutineleak when served
  bool complete_cut = true;  // fetch ?debug=1 when debug=2 stops at 64 MiB
  // A copy of the dump's body as received ("" none); gzip when `save_gzip`.
  std::string save_path;
  bool save_gzip = false;
};

enum class LeakProfileStatus : uint8_t {
  kNotAsked,   // off, or the URL is not a goroutine endpoint
  kServed,     // fetched and joined
  kNotServed,  // 404: Go < 1.26, or 1.26 without GOEXPERIMENT=goroutineleakprofile
  kFailed,     // another error (noted, not fatal)
};

struct FetchedDump {
  LoadResult load;     // snapshots named by `shown`
  std::string shown;   // the dump URL, credentials masked
  // True when an error Diagnostic is in load.diagnostics: the fetch failed
  // (nothing to report when !load.ok, a truncated report otherwise).
  bool failed = false;
  LeakProfileStatus leak_profile = LeakProfileStatus::kNotAsked;
  uint64_t proven = 0;  // goroutines the goroutineleak profile marked
  bool completed = false;  // counts completed from ?debug=1
};

FetchedDump fetch_dump(Catalog& catalog, const std::string& url, const LoadOptions& load,
                       const FetchDumpOptions& options);

}  // namespace gorleak
