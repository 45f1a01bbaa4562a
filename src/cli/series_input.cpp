#include "cli/series_input.h"

#include <algorithm>

#include <fmt/format.h>

#include "cli/options.h"
#include "cli/url_input.h"
#include "pipeline/load_many.h"

namespace gorleak::cli {

namespace {

// Moves the snapshots of one input after those of the inputs before. A
// crash log holds one snapshot per record: the vector is taken whole when
// it is the first, and otherwise freed as soon as it is moved, so two
// vectors of every snapshot never live side by side.
void append_snapshots(std::vector<Snapshot>* to, std::vector<Snapshot>&& from) {
  if (to->empty()) {
    *to = std::move(from);
    return;
  }
  to->reserve(to->size() + from.size());
  for (Snapshot& s : from) to->push_back(std::move(s));
  std::vector<Snapshot>().swap(from);
}

}  // namespace

bool load_dumps(Catalog& catalog, const std::vector<std::string>& files,
                 const LoadOptions& load, const FetchDumpOptions& fetch,
                 std::vector<Snapshot>* snapshots, std::vector<std::string>* failures,
                std::vector<HeapProfile>* heaps) {
  std::vector<InputLoad> inputs;
  if (std::none_of(files.begin(), files.end(), [](const std::string& f) { return looks_like_url(f); })) {
    std::vector<LoadResult> results = load_dump_files(catalog, files, load);
    for (size_t i = 0; i < files.size(); ++i)
      inputs.push_back(InputLoad{std::move(results[i]), files[i], false});
  } else {
    for (const std::string& f : files) inputs.push_back(load_input(catalog, f, load, fetch));
  }
  for (InputLoad& in : inputs) {
    const std::string& path = in.name;
    LoadResult& r = in.result;
    if (!r.ok) {
      for (const Diagnostic& d : r.diagnostics) {
        if (d.severity != Severity::kError) continue;
        print_error(d.format());
        return false;
      }
      print_error(fmt::format("{}: cannot read this input", path));
      return false;
    }
    for (const Diagnostic& d : r.diagnostics) {
      if (d.severity == Severity::kNote) continue;
      if (in.fetch_failed && d.severity == Severity::kError)
        failures->push_back(d.format());
      else
        print_warning(d.format());
    }
    if (heaps != nullptr && !r.heap_profiles.empty()) {
      for (HeapProfile& h : r.heap_profiles) heaps->push_back(std::move(h));
      if (r.snapshots.empty()) continue;
    }
    if (r.snapshots.empty()) {
      if (r.bytes == 0)
        print_error(fmt::format("{}: empty input: no goroutine dump to read", path));
      else
        print_error(fmt::format(
            "{}: no goroutine dump found{} (expected `goroutine N [state]:` blocks or a "
            "`goroutine profile: total N` header{})",
            path, heaps != nullptr ? ", nor a heap profile" : "",
            heaps != nullptr ? "; or a pprof heap profile" : ""));
      return false;
    }
    append_snapshots(snapshots, std::move(r.snapshots));
  }
  return true;
}

bool load_series(const std::vector<std::string>& files, const LoadOptions& load,
                 const FetchDumpOptions& fetch, SeriesInput* out) {
  out->same_object = std::make_unique<SameObjectCollector>(out->catalog);
  LoadOptions opts = load;
  opts.observer = out->same_object.get();
  for (size_t fi = 0; fi < files.size(); ++fi) {
    InputLoad in = load_input(out->catalog, files[fi], opts, fetch);
    const std::string& path = in.name;
    LoadResult& r = in.result;
    out->file_is_heap.push_back(r.ok && !r.heap_profiles.empty());
    if (r.ok && !r.heap_profiles.empty()) {
      for (HeapProfile& h : r.heap_profiles) out->heap_profiles.push_back(std::move(h));
      continue;
    }
    if (!r.ok || r.snapshots.empty() || in.fetch_failed) {
      for (const Diagnostic& d : r.diagnostics) {
        if (d.severity != Severity::kError) continue;
        print_error(d.format());
        return false;
      }
      print_error(fmt::format("{}: no goroutine dump found", path));
      return false;
    }
    for (const Diagnostic& d : r.diagnostics)
      if (d.severity != Severity::kNote) print_warning(d.format());
    size_t n = r.snapshots.size();
    for (size_t i = 0; i < n; ++i) {
      out->names.push_back(n == 1 ? path : fmt::format("{}#{}", path, i + 1));
      out->file_of.push_back(fi);
    }
    append_snapshots(&out->snapshots, std::move(r.snapshots));
  }
  return true;
}

std::vector<DiffDump> diff_dumps(const SeriesInput& in, const std::vector<size_t>& snapshots) {
  std::vector<DiffDump> out;
  for (size_t i : snapshots) out.push_back(DiffDump{in.names[i], &in.snapshots[i], &in.catalog});
  return out;
}

}  // namespace gorleak::cli
