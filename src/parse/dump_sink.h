// What the parser reports while it reads: snapshot boundaries and one
// goroutine at a time. The group stage implements this interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/goroutine.h"
#include "model/snapshot.h"

namespace gorleak {

struct SnapshotStart {
  Form form = Form::kDebug2;
  uint64_t line = 0;
  std::string cause;
  std::optional<uint64_t> declared_total;
};

struct SnapshotEnd {
  // The form as finally understood: a debug=2 dump whose goroutines carry
  // "(leaked)" turns out to be a goroutineleak profile.
  Form form = Form::kDebug2;
  uint64_t last_line = 0;
  std::string cause;  // final cause: multi-line panic messages grow
  uint64_t skipped_lines = 0;
  bool truncated = false;
  // Facts the dump states about itself (model/snapshot.h).
  GoVersionRange go_version;
  LeakReport leak_report = LeakReport::kNone;
  std::vector<Diagnostic> diagnostics;
};

class DumpSink {
 public:
  virtual ~DumpSink() = default;
  virtual void begin_snapshot(const SnapshotStart& start) = 0;
  // `g` is only valid during the call.
  virtual void goroutine(const Goroutine& g) = 0;
  virtual void end_snapshot(const SnapshotEnd& end) = 0;
  // Whether goroutine() reads Goroutine::args: copying every frame's
  // argument text costs time on every frame of the dump, so the parser
  // keeps it only for a sink that asks.
  virtual bool wants_args() const { return false; }
};

}  // namespace gorleak
