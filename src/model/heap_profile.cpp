#include "model/heap_profile.h"

namespace gorleak {

int64_t heap_total(const HeapProfile& p, HeapValue v) {
  uint64_t sum = 0;  // unsigned: a hostile profile wraps instead of trapping
  for (const HeapSample& s : p.samples) sum += static_cast<uint64_t>(s.values[static_cast<size_t>(v)]);
  return static_cast<int64_t>(sum);
}

}  // namespace gorleak
