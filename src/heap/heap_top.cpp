#include "heap/heap_top.h"

#include <algorithm>
#include <cstdlib>

#include "model/user_code.h"

namespace gorleak {

namespace {

uint64_t mag(int64_t v) { return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v); }
// Sums wrap like Go's int64 instead of trapping on hostile values.
int64_t add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

}  // namespace

HeapTop heap_top(const HeapProfile& profile, const Catalog& catalog, HeapValue value,
                 const std::vector<std::string>& modules) {
  HeapTop top;
  top.value = value;
  const size_t vi = static_cast<size_t>(value);
  std::vector<int32_t> fn_index;   // by StrId: index into top.functions, -1 none
  std::vector<uint32_t> last_seen;  // by StrId: sample number + 1 that last counted it
  std::vector<uint32_t> stack_index;  // by StackId: index into top.stacks + 1, 0 none
  auto fn = [&](StrId id) -> FunctionTotals& {
    if (id >= fn_index.size()) {
      fn_index.resize(std::max<size_t>(id + 1, catalog.strings.size()), -1);
      last_seen.resize(fn_index.size(), 0);
    }
    if (fn_index[id] < 0) {
      fn_index[id] = static_cast<int32_t>(top.functions.size());
      top.functions.push_back(FunctionTotals{id, 0, 0});
    }
    return top.functions[static_cast<size_t>(fn_index[id])];
  };
  uint32_t n = 0;
  for (const HeapSample& s : profile.samples) {
    ++n;
    int64_t v = s.values[vi];
    top.total = add(top.total, v);
    const Stack& st = catalog.stacks.get(s.stack);
    if (!st.frames.empty()) {
      FunctionTotals& leaf = fn(st.frames[0].func);
      leaf.flat = add(leaf.flat, v);
      for (const Frame& f : st.frames) {
        FunctionTotals& t = fn(f.func);
        if (last_seen[f.func] == n) continue;  // recursion: once per sample
        last_seen[f.func] = n;
        t.cum = add(t.cum, v);
      }
    }
    if (s.stack >= stack_index.size()) stack_index.resize(std::max<size_t>(s.stack + 1, catalog.stacks.size()), 0);
    if (stack_index[s.stack] == 0) {
      StackTotals t;
      t.stack = s.stack;
      t.user_frame = find_user_frame(st, catalog, modules);
      t.object_size = s.object_size;
      top.stacks.push_back(t);
      stack_index[s.stack] = static_cast<uint32_t>(top.stacks.size());
    }
    StackTotals& t = top.stacks[stack_index[s.stack] - 1];
    for (size_t k = 0; k < kHeapValueCount; ++k) t.values[k] = add(t.values[k], s.values[k]);
    if (t.object_size != s.object_size) t.object_size = 0;
  }
  // pprof drops nodes that hold nothing of this value; so do we.
  std::erase_if(top.functions, [](const FunctionTotals& f) { return f.flat == 0 && f.cum == 0; });
  std::erase_if(top.stacks, [&](const StackTotals& s) { return s.values[vi] == 0; });
  std::stable_sort(top.functions.begin(), top.functions.end(),
                   [&](const FunctionTotals& a, const FunctionTotals& b) {
                     if (mag(a.flat) != mag(b.flat)) return mag(a.flat) > mag(b.flat);
                     if (mag(a.cum) != mag(b.cum)) return mag(a.cum) > mag(b.cum);
                     return catalog.str(a.func) < catalog.str(b.func);
                   });
  std::stable_sort(top.stacks.begin(), top.stacks.end(),
                   [&](const StackTotals& a, const StackTotals& b) {
                     return mag(a.values[vi]) > mag(b.values[vi]);
                   });
  return top;
}

HeapProfile heap_difference(const HeapProfile& base, const HeapProfile& now) {
  HeapProfile d = now;
  d.memstats.reset();
  d.samples.reserve(now.samples.size() + base.samples.size());
  for (HeapSample s : base.samples) {
    for (int64_t& v : s.values) v = static_cast<int64_t>(0 - static_cast<uint64_t>(v));
    d.samples.push_back(s);
  }
  for (size_t k = 0; k < kHeapValueCount; ++k) d.has_value[k] = now.has_value[k] && base.has_value[k];
  return d;
}

}  // namespace gorleak
