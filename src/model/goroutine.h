// A goroutine as the parser hands it to the next stage. The parser reuses one
// Goroutine object for every block it reads, so nothing here is kept per
// goroutine beyond the callback: memory stays bounded by distinct stacks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/frame.h"
#include "model/stack.h"
#include "model/state.h"

namespace gorleak {

struct ArgSpan {
  uint32_t offset = 0;  // into Goroutine::args_text
  uint32_t length = 0;
};

// `[originating from goroutine N]:` section (GODEBUG=tracebackancestors).
struct Ancestor {
  uint64_t id = 0;
  std::vector<Frame> frames;
  CreatedBy created_by;
};

struct Goroutine {
  bool has_id = false;  // debug=1 records have a count, not an id
  uint64_t id = 0;
  uint64_t count = 1;
  uint64_t line_no = 0;  // input line of the header (or `N @` line)

  std::string state;  // base wait reason: "chan receive", "sync.Mutex.Lock"
  StateCategory category = StateCategory::kUnknown;
  bool state_inferred = false;  // debug=1: category guessed from frames
  int64_t wait_minutes = -1;    // -1: not printed
  bool locked_to_thread = false;
  bool leaked = false;   // "(leaked)" or listed by a goroutineleak profile
  bool durable = false;  // "(durable)" / "(synctest)"
  int64_t bubble = -1;   // synctest group/bubble number
  bool partial = false;  // the dump ended inside this goroutine
  bool stack_unavailable = false;  // "goroutine running on other thread"
  std::string labels;    // "k=v, k2=v2" normalised from either label syntax

  std::vector<Frame> frames;  // innermost first
  // stack_hash_add() over frames[0, frames_hashed), kept by a producer that
  // hashes as it reads; consumers use it only when it covers every frame.
  uint64_t frames_hash = stack_hash_start();
  uint32_t frames_hashed = 0;
  // Parallel to frames, but only for a sink that wants_args() (see
  // parse/dump_sink.h); empty otherwise.
  std::vector<ArgSpan> args;
  std::string args_text;
  // Elision: `...N frames elided...` (count) or `...additional frames
  // elided...` (count -1) after frames[elided_at - 1].
  int32_t elided_count = 0;
  uint32_t elided_at = 0;

  CreatedBy created_by;
  std::vector<Ancestor> ancestors;

  std::string_view frame_args(size_t i) const {
    return std::string_view(args_text).substr(args[i].offset, args[i].length);
  }
  void clear();
};

}  // namespace gorleak
