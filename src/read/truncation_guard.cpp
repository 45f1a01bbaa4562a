#include "read/truncation_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace gorleak {

namespace {

struct Slot {
  std::atomic<bool> taken{false};
  // 0 when nothing is watched. watch() stores begin last and unwatch()
  // clears it first, and the handler reads begin again after end: whatever
  // it matches was one whole watched range.
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> tripped{false};
};
static_assert(std::atomic<uintptr_t>::is_always_lock_free);
static_assert(std::atomic<bool>::is_always_lock_free);

Slot g_slots[TruncationGuard::kSlots];
std::atomic<uintptr_t> g_page_size{0};
// The handler that was in place before ours. Written only while ours is
// not installed, under g_install_mutex.
struct sigaction g_previous;
std::mutex g_install_mutex;
// Set while the previous handler runs: if it hands the signal back to us
// (it may have saved ours as its own previous), take the default action
// instead of going round in circles.
std::atomic<bool> g_chaining{false};

void die_by_default(int sig) {
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  // Pending until the handler returns; a fault would also recur when the
  // instruction is retried.
  raise(sig);
}

void pass_on(int sig, siginfo_t* info, void* context) {
  struct sigaction prev = g_previous;
  bool custom = (prev.sa_flags & SA_SIGINFO) ? prev.sa_sigaction != nullptr
                                             : prev.sa_handler != SIG_DFL &&
                                                   prev.sa_handler != SIG_IGN;
  if (!custom || g_chaining.exchange(true)) {
    // SIG_IGN too: ignoring a fault would retry the instruction forever.
    die_by_default(sig);
    return;
  }
  if (prev.sa_flags & SA_SIGINFO)
    prev.sa_sigaction(sig, info, context);
  else
    prev.sa_handler(sig);
  g_chaining.store(false);
}

void on_sigbus(int sig, siginfo_t* info, void* context) {
  // Only a fault has an address; kill(…, SIGBUS) is passed on.
  if (info->si_code == BUS_ADRERR) {
    uintptr_t addr = reinterpret_cast<uintptr_t>(info->si_addr);
    for (Slot& s : g_slots) {
      uintptr_t b = s.begin.load();
      if (b == 0 || addr < b || addr >= s.end.load() || s.begin.load() != b) continue;
      uintptr_t page = g_page_size.load();
      void* at = reinterpret_cast<void*>(addr & ~(page - 1));
      if (mmap(at, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
          MAP_FAILED)
        break;  // cannot repair it: as if we were not here
      s.tripped.store(true);
      return;
    }
  }
  pass_on(sig, info, context);
}

bool ours_installed() {
  struct sigaction current;
  return sigaction(SIGBUS, nullptr, &current) == 0 && (current.sa_flags & SA_SIGINFO) &&
         current.sa_sigaction == on_sigbus;
}

bool ensure_installed() {
  if (ours_installed()) return true;
  std::lock_guard<std::mutex> lock(g_install_mutex);
  struct sigaction current;
  if (sigaction(SIGBUS, nullptr, &current) != 0) return false;
  if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_sigbus) return true;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) return false;
  g_page_size.store(static_cast<uintptr_t>(page));
  g_previous = current;
  struct sigaction ours = {};
  ours.sa_sigaction = on_sigbus;
  ours.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&ours.sa_mask);
  return sigaction(SIGBUS, &ours, nullptr) == 0;
}

}  // namespace

TruncationGuard::TruncationGuard() {
  for (int i = 0; i < kSlots; ++i) {
    bool free = false;
    if (g_slots[i].taken.compare_exchange_strong(free, true)) {
      slot_ = i;
      return;
    }
  }
}

TruncationGuard::~TruncationGuard() {
  if (slot_ < 0) return;
  unwatch();
  g_slots[slot_].taken.store(false);
}

bool TruncationGuard::watch(const void* begin, size_t size) {
  if (slot_ < 0 || !ensure_installed()) return false;
  Slot& s = g_slots[slot_];
  s.begin.store(0);
  s.tripped.store(false);
  uintptr_t b = reinterpret_cast<uintptr_t>(begin);
  s.end.store(b + size);
  s.begin.store(b);
  return true;
}

void TruncationGuard::unwatch() {
  if (slot_ >= 0) g_slots[slot_].begin.store(0);
}

bool TruncationGuard::tripped() const { return slot_ >= 0 && g_slots[slot_].tripped.load(); }

}  // namespace gorleak
