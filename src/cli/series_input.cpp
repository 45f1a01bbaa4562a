#include "cli/series_input.h"

#include <fmt/format.h>

#include "cli/options.h"
#include "pipeline/load_many.h"

namespace gorleak::cli {

bool load_dumps(Catalog& catalog, const std::vector<std::string>& files, const LoadOptions& load,
                std::vector<Snapshot>* snapshots) {
  std::vector<LoadResult> results = load_dump_files(catalog, files, load);
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i];
    LoadResult& r = results[i];
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
      print_warning(d.format());
    }
    if (r.snapshots.empty()) {
      if (r.bytes == 0)
        print_error(fmt::format("{}: empty input: no goroutine dump to read", path));
      else
        print_error(fmt::format(
            "{}: no goroutine dump found (expected `goroutine N [state]:` blocks or a "
            "`goroutine profile: total N` header)",
            path));
      return false;
    }
    for (Snapshot& s : r.snapshots) snapshots->push_back(std::move(s));
  }
  return true;
}

bool load_series(const std::vector<std::string>& files, const LoadOptions& load, SeriesInput* out) {
  out->same_object = std::make_unique<SameObjectCollector>(out->catalog);
  LoadOptions opts = load;
  opts.observer = out->same_object.get();
  for (size_t fi = 0; fi < files.size(); ++fi) {
    const std::string& path = files[fi];
    LoadResult r = load_dump_file(out->catalog, path, opts);
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
