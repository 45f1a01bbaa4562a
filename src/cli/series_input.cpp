#include "cli/series_input.h"

#include <fmt/format.h>

#include "cli/options.h"

namespace gorleak::cli {

bool load_series(const std::vector<std::string>& files, const LoadOptions& load, SeriesInput* out) {
  out->same_object = std::make_unique<SameObjectCollector>(out->catalog);
  LoadOptions opts = load;
  opts.observer = out->same_object.get();
  for (size_t fi = 0; fi < files.size(); ++fi) {
    const std::string& path = files[fi];
    LoadResult r = load_dump_file(out->catalog, path, opts);
    out->file_is_heap.push_back(r.ok && !r.heap_profiles.empty());
    if (r.ok && !r.heap_profiles.empty()) {
      for (HeapProfile& h : r.heap_profiles) out->heap_profiles.push_back(std::move(h));
      continue;
    }
    if (!r.ok || r.snapshots.empty()) {
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
      out->snapshots.push_back(std::move(r.snapshots[i]));
    }
  }
  return true;
}

std::vector<DiffDump> diff_dumps(const SeriesInput& in, const std::vector<size_t>& snapshots) {
  std::vector<DiffDump> out;
  for (size_t i : snapshots) out.push_back(DiffDump{in.names[i], &in.snapshots[i], &in.catalog});
  return out;
}

}  // namespace gorleak::cli
