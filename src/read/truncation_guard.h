// Makes reading a memory-mapped file safe when the file shrinks under the
// mapping. Touching a mapped page past the new end of a file raises SIGBUS,
// which would kill the process. While a window is watched, a SIGBUS inside
// it is answered by mapping a page of zeros over the faulting page, so the
// access completes, and the guard is marked tripped: the reader checks that
// after the window and reports a read error instead of using the zeros.
//
// A SIGBUS anywhere else goes to whatever handler was installed before (or
// the default action: the process dies as it would have without us).
//
// The handler finds windows in a fixed table of slots holding only atomics:
// it takes no lock and calls nothing but mmap, so it is safe in a signal
// handler. A process can watch at most kSlots windows at a time; a source
// that finds no free slot reads with read() instead.
#pragma once

#include <cstddef>

namespace gorleak {

class TruncationGuard {
 public:
  static constexpr int kSlots = 64;

  TruncationGuard();  // claims a slot
  ~TruncationGuard();  // gives it back
  TruncationGuard(const TruncationGuard&) = delete;
  TruncationGuard& operator=(const TruncationGuard&) = delete;

  // False when no slot was free or the handler could not be installed:
  // then nothing may be mapped under this guard.
  bool active() const { return slot_ >= 0; }

  // Watches [begin, begin + size) until unwatch(); clears the trip mark.
  // Installs the SIGBUS handler first if it is not the one in place (a host
  // program or test framework may have replaced it since). False if it
  // could not be installed.
  bool watch(const void* begin, size_t size);
  void unwatch();
  // A page of the watched window was replaced by zeros since watch().
  bool tripped() const;

 private:
  int slot_ = -1;
};

}  // namespace gorleak
