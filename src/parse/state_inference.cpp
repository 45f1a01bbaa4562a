#include "parse/state_inference.h"

#include "parse/line_syntax.h"

namespace gorleak {

namespace {
struct Rule {
  std::string_view func_prefix;
  std::string_view reason;
  StateCategory category;
};

// Innermost visible frames that identify the blocking operation. Runtime
// frames only show when every frame is a runtime one (system goroutines).
constexpr Rule kRules[] = {
    {"sync.(*Mutex).Lock", "sync.Mutex.Lock", StateCategory::kSemacquire},
    {"internal/sync.(*Mutex).Lock", "sync.Mutex.Lock", StateCategory::kSemacquire},
    {"internal/sync.(*Mutex).lockSlow", "sync.Mutex.Lock", StateCategory::kSemacquire},
    {"sync.(*RWMutex).RLock", "sync.RWMutex.RLock", StateCategory::kSemacquire},
    {"sync.(*RWMutex).Lock", "sync.RWMutex.Lock", StateCategory::kSemacquire},
    {"sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait", StateCategory::kSemacquire},
    {"sync.(*Cond).Wait", "sync.Cond.Wait", StateCategory::kSemacquire},
    {"sync.runtime_Semacquire", "semacquire", StateCategory::kSemacquire},
    {"sync.runtime_SemacquireMutex", "semacquire", StateCategory::kSemacquire},
    {"sync.runtime_notifyListWait", "sync.Cond.Wait", StateCategory::kSemacquire},
    {"internal/poll.runtime_pollWait", "IO wait", StateCategory::kIOWait},
    {"time.Sleep", "sleep", StateCategory::kSleep},
    {"syscall.Syscall", "syscall", StateCategory::kSyscall},
    {"syscall.RawSyscall", "syscall", StateCategory::kSyscall},
    {"syscall.syscall", "syscall", StateCategory::kSyscall},
    {"internal/syscall/unix.", "syscall", StateCategory::kSyscall},
    {"os/signal.signal_recv", "syscall", StateCategory::kSyscall},
    {"runtime/pprof.writeGoroutineStacks", "running", StateCategory::kRunning},
    {"runtime/pprof.writeRuntimeProfile", "running", StateCategory::kRunning},
    {"runtime.chanrecv", "chan receive", StateCategory::kChanReceive},
    {"runtime.chansend", "chan send", StateCategory::kChanSend},
    {"runtime.selectgo", "select", StateCategory::kSelect},
    {"runtime.block", "select (no cases)", StateCategory::kSelect},
    {"runtime.semacquire", "semacquire", StateCategory::kSemacquire},
    {"runtime.netpollblock", "IO wait", StateCategory::kIOWait},
    {"runtime.timeSleep", "sleep", StateCategory::kSleep},
};
}  // namespace

InferredState infer_state(std::string_view top, std::string_view next) {
  // runtime.gopark/goparkunlock say "parked" but not why; the caller does.
  if (starts_with(top, "runtime.gopark") && !next.empty()) top = next;
  for (const Rule& r : kRules) {
    if (starts_with(top, r.func_prefix)) return {r.reason, r.category};
  }
  return {};
}

}  // namespace gorleak
