#include "pipeline/load_profile.h"

#include <fmt/format.h>

#include "group/grouper.h"
#include "heap/heap_text.h"
#include "heap/pprof_heap.h"
#include "parse/pprof_goroutines.h"
#include "parse/pprof_profile.h"
#include "parse/tee_sink.h"

namespace gorleak {

namespace {

LoadResult failed(const std::string& name, std::string message) {
  LoadResult r;
  r.ok = false;
  r.diagnostics.push_back(Diagnostic{Severity::kError, name, 0, 0, std::move(message)});
  return r;
}

}  // namespace

LoadResult load_pprof_input(Catalog& catalog, ByteSource& source, const std::string& name,
                            const LoadOptions& options, bool gzip) {
  PprofProfile profile;
  std::string error;
  if (!profile.read(source, &error))
    return failed(name, fmt::format("{}pprof profile: {}", gzip ? "gzipped " : "", error));
  LoadResult result;
  result.bytes = profile.stats().bytes;
  switch (profile.kind()) {
    case PprofKind::kGoroutine:
    case PprofKind::kGoroutineLeak: {
      Grouper grouper(catalog, options.group, name, &result.snapshots);
      TeeSink tee{&grouper, options.observer};
      DumpSink& sink = options.observer ? static_cast<DumpSink&>(tee) : grouper;
      emit_pprof_goroutines(profile, catalog, sink);
      return result;
    }
    case PprofKind::kHeap: {
      HeapProfile heap;
      if (!build_heap_profile(profile, catalog, name, &heap, &error)) return failed(name, error);
      result.heap_profiles.push_back(std::move(heap));
      return result;
    }
    default:
      return failed(name, fmt::format("{} ({}), not a goroutine dump or heap profile: fetch "
                                      "/debug/pprof/goroutine?debug=2 or /debug/pprof/heap",
                                      pprof_kind_description(profile.kind()),
                                      profile.sample_types_text()));
  }
}

LoadResult load_heap_text_input(Catalog& catalog, ByteSource& source, const std::string& name) {
  HeapProfile heap;
  std::string error;
  if (!parse_heap_text(source, catalog, name, &heap, &error)) return failed(name, error);
  LoadResult result;
  result.lines = heap.lines;
  result.heap_profiles.push_back(std::move(heap));
  return result;
}

}  // namespace gorleak
