#include "fetch/fetch_dump.h"

#include <fmt/format.h>

#include "diff/join_profiles.h"
#include "diff/signature.h"
#include "fetch/pprof_endpoints.h"
#include "parse/parser.h"
#include "read/save_source.h"

namespace gorleak {

namespace {

void fail(FetchedDump& out, std::string message) {
  out.failed = true;
  out.load.ok = false;
  out.load.diagnostics.push_back(Diagnostic{Severity::kError, out.shown, 0, 0, std::move(message)});
}

void note(Snapshot& s, const std::string& url, std::string message) {
  s.diagnostics.push_back(Diagnostic{Severity::kNote, url, 0, 0, std::move(message)});
}

bool starts_with(std::string_view s, std::string_view head) { return s.rfind(head, 0) == 0; }

// A 200 answer that held no dump: say what the server sent instead.
void explain_non_dump(FetchedDump& out, std::string_view content_type) {
  for (Diagnostic& d : out.load.diagnostics) {
    if (d.severity != Severity::kError) continue;
    if (starts_with(content_type, "text/html"))
      d.message = "the server answered with an HTML page, not a goroutine dump (a login page, "
                  "a proxy's error page, or the pprof index?); name the goroutine endpoint, "
                  "e.g. http://HOST:PORT/debug/pprof/goroutine?debug=2";
    else if (starts_with(content_type, "application/json") || content_type.find("+json") != std::string_view::npos)
      d.message = "the server answered with JSON, not a goroutine dump (an API gateway's error "
                  "or another endpoint?); name the goroutine endpoint, e.g. "
                  "http://HOST:PORT/debug/pprof/goroutine?debug=2";
    else if (!content_type.empty())
      d.message += fmt::format(" (Content-Type {})", content_type);
    return;
  }
}

// Loads a secondary profile of the same service into `catalog`.
bool load_profile(Catalog& catalog, const std::string& url, const LoadOptions& load,
                  const FetchOptions& http, Snapshot* out, std::string* error,
                  bool* not_found = nullptr) {
  HttpResponse r = http_get(url, http);
  if (not_found) *not_found = r.not_found();
  if (!r.body) {
    *error = r.error;
    return false;
  }
  LoadOptions quiet = load;
  quiet.observer = nullptr;
  quiet.progress = nullptr;
  LoadResult lr = load_dump_source(catalog, std::move(r.body), mask_url(url), quiet);
  if (!lr.ok || lr.snapshots.size() != 1) {
    *error = lr.diagnostics.empty() ? "no profile in the answer" : lr.diagnostics.front().message;
    return false;
  }
  *out = std::move(lr.snapshots.front());
  return true;
}

}  // namespace

FetchedDump fetch_dump(Catalog& catalog, const std::string& url, const LoadOptions& load,
                       const FetchDumpOptions& options) {
  FetchedDump out;
  PprofEndpoints ep;
  std::string error;
  if (!pprof_endpoints(url, &ep, &error)) {
    out.shown = mask_url(url);
    fail(out, error);
    return out;
  }
  out.shown = ep.shown;
  HttpResponse r = http_get(ep.dump, options.http);
  if (!r.body) {
    fail(out, r.error);
    return out;
  }
  std::unique_ptr<ByteSource> body = std::move(r.body);
  if (!options.save_path.empty()) {
    body = make_save_source(std::move(body), options.save_path, options.save_gzip, &error);
    if (!body) {
      fail(out, error);
      return out;
    }
  }
  out.load = load_dump_source(catalog, std::move(body), out.shown, load);
  for (const Diagnostic& d : out.load.diagnostics) out.failed |= d.severity == Severity::kError;
  if (!out.load.ok) {
    explain_non_dump(out, r.content_type);
    return out;
  }
  if (out.failed || out.load.snapshots.size() != 1) return out;
  Snapshot& dump = out.load.snapshots.front();

  if (options.complete_cut && !ep.counts.empty() && dump.truncated &&
      dump.form == Form::kDebug2 && out.load.bytes == kPprofDebug2Limit) {
    Snapshot counts;
    if (load_profile(catalog, ep.counts, load, options.http, &counts, &error) &&
        is_count_profile(counts)) {
      JoinStats js;
      uint64_t read = dump.total;
      dump = complete_counts(dump, counts, catalog, &js);
      out.completed = true;
      std::erase_if(dump.diagnostics,
                    [](const Diagnostic& d) { return d.message == kPprofCutWarning; });
      note(dump, out.shown,
           fmt::format("debug=2 stopped at Go's 64 MiB limit after {} goroutines; counts "
                       "completed from ?debug=1 ({} goroutines): {} of its stacks joined to "
                       "debug=2 groups by cross-form signature, {} added without a state",
                       read, dump.total, js.joined, js.added));
    } else {
      note(dump, out.shown,
           fmt::format("debug=2 stopped at Go's 64 MiB limit and ?debug=1 could not complete "
                       "the counts ({}): counts are a lower bound",
                       error.empty() ? "not a count profile" : error));
    }
  }

  if (options.leak_profile && !ep.leak.empty()) {
    Snapshot leak;
    bool not_found = false;
    if (load_profile(catalog, ep.leak, load, options.http, &leak, &error, &not_found)) {
      JoinStats js;
      mark_proven(dump, leak, catalog, &js);
      out.leak_profile = LeakProfileStatus::kServed;
      out.proven = js.goroutines;
      note(dump, out.shown,
           fmt::format("goroutineleak profile: the runtime proved {} goroutine{} leaked{}",
                       leak.total, leak.total == 1 ? "" : "s",
                       js.goroutines > 0 ? fmt::format("; {} of them are in this dump's "
                                                       "groups, and their findings rest on "
                                                       "that proof",
                                                       js.goroutines)
                                         : ""));
    } else if (not_found) {
      out.leak_profile = LeakProfileStatus::kNotServed;
      note(dump, out.shown,
           "this service does not serve /debug/pprof/goroutineleak (Go older than 1.26, or "
           "1.26 built without GOEXPERIMENT=goroutineleakprofile): no finding is proven by "
           "the runtime's leak detector");
    } else {
      out.leak_profile = LeakProfileStatus::kFailed;
      note(dump, out.shown, fmt::format("the goroutineleak profile could not be read: {}", error));
    }
  }
  return out;
}

}  // namespace gorleak
