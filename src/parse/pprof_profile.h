// A pprof profile (read/pprof_decode.h) kept in memory bounded by what is
// distinct in it: the string table, functions, locations, each distinct
// stack once, and one entry per distinct sample: the same stack and string
// labels (goroutine labels). Values of repeats are summed, as pprof -top
// sums them; numeric labels (a heap sample's object size) stay only where
// every merged sample agrees. A profile of a million samples over ten
// thousand stacks costs ten thousand entries.
//
// Use: read() the whole profile, then ask kind() what it is, and walk the
// samples; frames() turns a sample's locations into interned Frames of a
// Catalog, so heap stacks and goroutine groups compare as integers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalog.h"
#include "model/frame.h"
#include "read/byte_source.h"
#include "read/pprof_decode.h"

namespace gorleak {

// What a profile measures, from its sample and period types.
enum class PprofKind : uint8_t {
  kHeap,           // alloc_objects, alloc_space, inuse_objects, inuse_space (heap, allocs)
  kGoroutine,      // goroutine/count
  kGoroutineLeak,  // goroutineleak/count (Go 1.26+)
  kCpu,            // samples/count, cpu/nanoseconds
  kContention,     // contentions/count, delay/nanoseconds (mutex, block)
  kThreadCreate,   // threadcreate/count
  kOther,
};
// "a CPU profile (/debug/pprof/profile)" and so on, for messages.
std::string_view pprof_kind_description(PprofKind k);

class PprofProfile {
 public:
  PprofProfile();
  ~PprofProfile();
  PprofProfile(const PprofProfile&) = delete;
  PprofProfile& operator=(const PprofProfile&) = delete;

  // Decodes all of `source` (already gunzipped) and checks that every
  // reference resolves: a sample's locations, a location's functions, every
  // string index, one value per sample type. False + one-line *error.
  bool read(ByteSource& source, std::string* error);

  PprofKind kind() const;
  const PprofHeader& header() const;
  const PprofDecodeStats& stats() const;
  // String table entry; "" for an index out of range (read() refuses those
  // in the records, so only a caller's own bad index gets it).
  std::string_view str(int64_t index) const;
  // "alloc_objects/count, alloc_space/bytes, …" for messages.
  std::string sample_types_text() const;
  // Index of the sample type named `type`, or -1.
  int sample_type_index(std::string_view type) const;

  struct Sample {
    uint32_t stack = 0;               // index among the distinct stacks
    std::span<const int64_t> values;  // one per sample type
    // String labels, and the numeric labels every merged sample shared
    // (a dropped one has key -1).
    std::span<const PprofLabel> labels;
  };
  size_t sample_count() const;  // distinct samples
  Sample sample(size_t i) const;
  size_t stack_count() const;   // distinct stacks

  // The frames of a stack, innermost first: each location's lines, inlined
  // calls first. Names are interned into `catalog` (memoised per function,
  // so call with the same catalog every time). A location without lines (an
  // address pprof could not symbolise) is one Frame flagged kNoSymbol.
  void frames(uint32_t stack, Catalog& catalog, std::vector<Frame>* out) const;
  // The first mapping's file: the program that wrote the profile ("" when
  // the profile names none).
  std::string_view main_binary() const;

  // Bytes held, for the benchmarks' memory figure.
  size_t memory_bytes() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gorleak
