// The numbers `go tool pprof -top` prints, for one sample type: flat and
// cumulative per function, and the same per distinct stack with the user's
// frame (the allocation site in the program's own code) marked.
//
// Per function, as pprof computes it: flat is the value of the samples whose
// innermost frame is the function; cum the value of the samples with the
// function anywhere on the stack, each sample counted once however often the
// function recurs. Functions are told apart by name (pprof's default
// granularity); inlined calls are functions of their own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/heap_profile.h"

namespace gorleak {

struct FunctionTotals {
  StrId func = 0;
  int64_t flat = 0;
  int64_t cum = 0;
};

// One distinct stack (several samples of different object sizes share one).
struct StackTotals {
  StackId stack = 0;
  HeapValues values{};  // all four, summed over the stack's samples
  int user_frame = -1;  // index into the stack's frames; -1: no user frame
  int64_t object_size = 0;  // when every sample of the stack agrees, else 0
};

struct HeapTop {
  HeapValue value = HeapValue::kInuseSpace;
  int64_t total = 0;                    // of `value`
  // Functions and stacks holding none of `value` are left out, as pprof
  // leaves them out.
  std::vector<FunctionTotals> functions;  // |flat| descending, then |cum|, then name
  std::vector<StackTotals> stacks;        // |value| descending, then first sample order
};

// `modules`: --module prefixes naming the user's code (model/user_code.h).
HeapTop heap_top(const HeapProfile& profile, const Catalog& catalog, HeapValue value,
                 const std::vector<std::string>& modules = {});

// `go tool pprof -base BASE NEW`: NEW's samples and BASE's with every value
// negated, in one profile over the same catalog (both must share it).
HeapProfile heap_difference(const HeapProfile& base, const HeapProfile& now);

}  // namespace gorleak
