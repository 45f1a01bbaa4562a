#include "model/state.h"

namespace gorleak {

namespace {
constexpr std::string_view kNames[kStateCategoryCount] = {
    "chan receive", "chan send", "select",   "semacquire", "IO wait", "syscall",
    "sleep",        "running",   "runnable", "runtime",    "other",   "unknown",
};

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}
}  // namespace

std::string_view category_name(StateCategory c) {
  return kNames[static_cast<size_t>(c)];
}

bool category_from_name(std::string_view name, StateCategory* out) {
  for (size_t i = 0; i < kStateCategoryCount; ++i) {
    if (kNames[i] == name) {
      *out = static_cast<StateCategory>(i);
      return true;
    }
  }
  return false;
}

StateCategory categorize_state(std::string_view r) {
  // Order matters: the synctest/durable variants share prefixes with the
  // plain channel reasons and fold into the same categories.
  if (starts_with(r, "chan receive")) return StateCategory::kChanReceive;
  if (starts_with(r, "chan send")) return StateCategory::kChanSend;
  if (starts_with(r, "select")) return StateCategory::kSelect;
  if (r == "semacquire" || starts_with(r, "sync."))  // sync.Mutex.Lock, sync.Cond.Wait…
    return StateCategory::kSemacquire;
  if (r == "IO wait") return StateCategory::kIOWait;
  if (r == "syscall" || r == "waiting for cgo callback") return StateCategory::kSyscall;
  if (r == "sleep") return StateCategory::kSleep;
  if (r == "running" || r == "preempted" || r == "copystack")
    return StateCategory::kRunning;
  if (r == "runnable") return StateCategory::kRunnable;
  if (starts_with(r, "GC ") || starts_with(r, "garbage collection") ||
      starts_with(r, "force gc") || r == "finalizer wait" ||
      r == "wait for GC cycle" || starts_with(r, "trace ") || r == "dumping heap" ||
      r == "panicwait" || starts_with(r, "timer goroutine") || r == "debug call" ||
      r == "stopping the world" || r == "flushing proc caches" ||
      r == "page trace flush" || r == "GOMAXPROCS updater (idle)" ||
      r == "cleanup wait" || r == "idle" || r == "dead")
    return StateCategory::kRuntime;
  return StateCategory::kOther;
}

bool is_permanent_wait(std::string_view r) {
  return r == "chan receive (nil chan)" || r == "chan send (nil chan)" ||
         r == "select (no cases)";
}

}  // namespace gorleak
