#include "collecting_sink.h"

namespace gorleak::test {

void CollectingSink::begin_snapshot(const SnapshotStart& start) {
  snaps_.emplace_back();
  snaps_.back().start = start;
}

void CollectingSink::goroutine(const Goroutine& g) {
  // A goroutine outside begin/end would be a parser contract violation;
  // keep it anyway (in a snapshot of its own) so the test can see it.
  if (snaps_.empty() || snaps_.back().ended) snaps_.emplace_back();
  snaps_.back().goroutines.push_back(g);
}

void CollectingSink::end_snapshot(const SnapshotEnd& end) {
  if (snaps_.empty() || snaps_.back().ended) snaps_.emplace_back();
  snaps_.back().end = end;
  snaps_.back().ended = true;
}

std::vector<const Goroutine*> CollectingSink::all() const {
  std::vector<const Goroutine*> out;
  for (const Snap& s : snaps_)
    for (const Goroutine& g : s.goroutines) out.push_back(&g);
  return out;
}

}  // namespace gorleak::test
