// Hands the parser's stream to several sinks in order: the Grouper plus
// observers that need what groups do not keep (argument values, for the
// same-object hint). Every sink sees each goroutine during the same call.
#pragma once

#include <initializer_list>
#include <vector>

#include "parse/dump_sink.h"

namespace gorleak {

class TeeSink : public DumpSink {
 public:
  TeeSink() = default;
  TeeSink(std::initializer_list<DumpSink*> sinks) : sinks_(sinks) {}
  void add(DumpSink* sink) { sinks_.push_back(sink); }

  void begin_snapshot(const SnapshotStart& start) override {
    for (DumpSink* s : sinks_) s->begin_snapshot(start);
  }
  void goroutine(const Goroutine& g) override {
    for (DumpSink* s : sinks_) s->goroutine(g);
  }
  void end_snapshot(const SnapshotEnd& end) override {
    for (DumpSink* s : sinks_) s->end_snapshot(end);
  }
  bool wants_args() const override {
    for (DumpSink* s : sinks_)
      if (s->wants_args()) return true;
    return false;
  }

 private:
  std::vector<DumpSink*> sinks_;
};

}  // namespace gorleak
