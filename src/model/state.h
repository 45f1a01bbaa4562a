// Blocking-state categories: the raw wait reason printed in a goroutine
// header ("chan receive", "sync.Mutex.Lock", "semacquire", …) folded into the
// handful of buckets a person triages by. README.md has the full mapping table.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace gorleak {

enum class StateCategory : uint8_t {
  kChanReceive,
  kChanSend,
  kSelect,
  kSemacquire,  // every sync.* wait and runtime semaphores
  kIOWait,
  kSyscall,
  kSleep,
  kRunning,
  kRunnable,
  kRuntime,  // GC, finalizer, scavenger, idle thread stacks…
  kOther,    // coroutine, synctest, waiting, unknown wait reasons
  kUnknown,  // debug=1 records: no state is printed and frames did not tell
};
inline constexpr size_t kStateCategoryCount = 12;

// Stable names used in text and JSON output ("chan receive", "IO wait", …).
std::string_view category_name(StateCategory c);
// Inverse of category_name; returns false for an unknown name.
bool category_from_name(std::string_view name, StateCategory* out);

// Maps a base wait reason (no minutes, no "(leaked)"/"(scan)"/"(durable)"
// qualifiers) to its category.
StateCategory categorize_state(std::string_view reason);

// True for the reasons that can never end: nil-channel ops and `select {}`.
bool is_permanent_wait(std::string_view reason);

using StateCounts = std::array<uint64_t, kStateCategoryCount>;

}  // namespace gorleak
