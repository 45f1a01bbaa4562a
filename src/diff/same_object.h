// Same-object hint (a heuristic): blocked goroutines of one group whose
// frames carry the same pointer argument — the same channel, mutex,
// WaitGroup or Cond address — are probably all waiting on one object:
// "40 goroutines wait on the same object 0xc0001108a0 in
// sync.(*Mutex).lockSlow".
//
// Arguments only exist while the parser hands a goroutine over (they are
// not kept in groups), so this is a DumpSink that runs next to the Grouper
// (see parse/tee_sink.h). Its memory is bounded: at most `capacity`
// (signature, function, address) keys per snapshot, kept by the batch
// Misra–Gries algorithm, so a dump of a million goroutines that each pass a
// different pointer costs the same as a small one, and any object shared by
// more than total/capacity goroutines is always found.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "diff/signature.h"
#include "model/catalog.h"
#include "parse/dump_sink.h"

namespace gorleak {

struct SameObjectOptions {
  size_t capacity = 4096;  // keys kept per snapshot (memory bound)
  size_t max_frames = 8;   // innermost frames searched (up to the first user frame)
  uint64_t min_count = 2;  // goroutines that must share the object
};

struct SameObjectHint {
  uint64_t signature = 0;  // exact group signature (diff/signature.h)
  std::string func;        // the frame that carries the argument
  std::string address;     // "0xc0001108a0"
  uint64_t count = 0;      // goroutines sharing it (a lower bound if approximate)
  uint64_t blocked = 0;    // blocked goroutines with this signature
  bool approximate = false;
  bool uncertain = false;  // the address was printed with `?`
  uint32_t depth = 0;      // frame index that carries it
};

class SameObjectCollector : public DumpSink {
 public:
  explicit SameObjectCollector(const Catalog& catalog, SameObjectOptions options = {});

  void begin_snapshot(const SnapshotStart& start) override;
  void goroutine(const Goroutine& g) override;
  void end_snapshot(const SnapshotEnd& end) override;
  bool wants_args() const override { return true; }  // pointer arguments are its evidence

  // One list per snapshot, in the order the parser reported them; each list
  // largest first, at most one hint per signature.
  const std::vector<std::vector<SameObjectHint>>& hints() const { return hints_; }

 private:
  struct Key {
    uint64_t signature;
    StrId func;
    uint64_t address;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  void purge();

  const Catalog& catalog_;
  ExactSignatureCache signatures_;
  SameObjectOptions options_;
  bool open_ = false;
  struct Tally {
    uint64_t count = 0;
    uint32_t depth = 0;      // frame index where the address was seen
    bool uncertain = false;  // printed with `?`
  };
  std::unordered_map<Key, Tally, KeyHash> counts_;
  std::unordered_map<uint64_t, uint64_t> blocked_;  // signature -> goroutines
  uint64_t decremented_ = 0;  // Misra–Gries: total subtracted from every key
  struct Seen {
    StrId func;
    uint64_t address;
    uint32_t depth;
    bool uncertain;
  };
  std::vector<Seen> seen_;  // this goroutine's candidates
  std::vector<std::vector<SameObjectHint>> hints_;
};

// Top-level hex words of a frame's argument text that look like pointers
// (≥ 0x10000; aggregates `{…}` are skipped: their first word is a type or
// string-data pointer shared by every caller). Exposed for tests.
// `uncertain` (optional) gets, per value, whether Go marked it with `?`
// (possibly stale: a spilled register, not necessarily the argument).
std::vector<uint64_t> pointer_args(std::string_view args, std::vector<bool>* uncertain = nullptr);

// Whether a goroutine in this state can be waiting on a shared object.
bool waits_on_object(StateCategory c);

}  // namespace gorleak
