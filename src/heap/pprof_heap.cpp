#include "heap/pprof_heap.h"

#include <vector>

#include <fmt/format.h>

#include "heap/go_version.h"

namespace gorleak {

bool build_heap_profile(const PprofProfile& profile, Catalog& catalog, const std::string& name,
                        HeapProfile* out, std::string* error) {
  *out = HeapProfile{};
  out->form = HeapForm::kProto;
  out->source = name;
  int index[kHeapValueCount];
  bool any = false;
  for (size_t v = 0; v < kHeapValueCount; ++v) {
    index[v] = profile.sample_type_index(heap_value_name(static_cast<HeapValue>(v)));
    out->has_value[v] = index[v] >= 0;
    any |= index[v] >= 0;
  }
  if (!any) {
    *error = fmt::format("no heap sample types in this profile ({})", profile.sample_types_text());
    return false;
  }
  const PprofHeader& h = profile.header();
  out->sampling_rate = h.period;
  out->time_nanos = h.time_nanos;
  out->default_sample_type = std::string(profile.str(h.default_sample_type));
  out->binary = std::string(profile.main_binary());

  std::vector<Frame> frames;
  // Several samples share a stack (one per object size): intern it once.
  std::vector<StackId> stack_of(profile.stack_count(), UINT32_MAX);
  out->samples.reserve(profile.sample_count());
  for (size_t i = 0; i < profile.sample_count(); ++i) {
    PprofProfile::Sample s = profile.sample(i);
    HeapSample hs;
    for (size_t v = 0; v < kHeapValueCount; ++v)
      if (index[v] >= 0) hs.values[v] = s.values[static_cast<size_t>(index[v])];
    for (const PprofLabel& l : s.labels)
      if (l.str == 0 && profile.str(l.key) == "bytes") hs.object_size = l.num;
    StackId& id = stack_of[s.stack];
    if (id == UINT32_MAX) {
      profile.frames(s.stack, catalog, &frames);
      id = catalog.stacks.intern(frames.data(), frames.size(), CreatedBy{}, 0, 0);
    }
    hs.stack = id;
    out->samples.push_back(hs);
  }
  out->go_version = infer_heap_go_version(*out, catalog);
  return true;
}

}  // namespace gorleak
