// A DumpSink that keeps a copy of every goroutine and snapshot boundary it
// sees, for tests that look at single goroutines (labels, peer goldens)
// rather than groups. Copies everything: use it on small inputs only.
#pragma once

#include <vector>

#include "parse/dump_sink.h"

namespace gorleak::test {

class CollectingSink : public DumpSink {
 public:
  struct Snap {
    SnapshotStart start;
    SnapshotEnd end;
    bool ended = false;
    std::vector<Goroutine> goroutines;
  };

  void begin_snapshot(const SnapshotStart& start) override;
  void goroutine(const Goroutine& g) override;
  void end_snapshot(const SnapshotEnd& end) override;
  bool wants_args() const override { return true; }  // a copy of everything

  const std::vector<Snap>& snapshots() const { return snaps_; }
  // Every goroutine of every snapshot, in input order.
  std::vector<const Goroutine*> all() const;

 private:
  std::vector<Snap> snaps_;
};

}  // namespace gorleak::test
