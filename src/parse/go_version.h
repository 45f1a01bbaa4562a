// The range of Go versions a dump can come from, read off the dump itself:
// the GOROOT in standard-library file paths, the wait-reason vocabulary,
// the header syntax (` gp=`, qualifiers, where labels sit), `created by …
// in goroutine N`, the elision marker and compiler-generated names.
// ../shared/docs/dump-format.md lists when each appeared; the runtime
// sources of Go 1.19, 1.21, 1.22, 1.23, 1.26 and 1.27 confirm the
// wait reasons.
//
// Each clue bounds the version on one side or both, and the range is the
// intersection of the clues seen. A clue's bound is the first (or last)
// version that can print it, never a later (or earlier) one, and the
// absence of a clue proves nothing: the true version always stays inside
// the range, however few clues a dump holds.
//
// The parser gathers the clues while it reads (per header, per distinct
// function and file name, per goroutine) into a VersionEvidence, which is
// a set of bits: evidence from fragments read on other threads merges by
// OR, so the range is the same for any number of threads.
#pragma once

#include <cstdint>
#include <string_view>

#include "model/snapshot.h"

namespace gorleak {

enum class VersionClue : uint8_t {
  kGpField,              // header ` gp=0x… m=…`: 1.22+
  kInGoroutine,          // `created by F in goroutine N`: 1.21+
  kCreatedByNoParent,    // `created by` a non-runtime function, no `in goroutine`: ≤1.20
  kElidedCount,          // `...N frames elided...`: 1.21+
  kElidedAdditional,     // `...additional frames elided...` in a goroutine's own stack: ≤1.20
  kStateSyncLock,        // state sync.Mutex.Lock / sync.RWMutex.RLock / .Lock: 1.20+
  kStateWaitGroup,       // state sync.WaitGroup.Wait: 1.24+
  kSemacquireLock,       // state semacquire in sync.(*Mutex).Lock / (*RWMutex).(R)Lock: ≤1.19
  kSemacquireWaitGroup,  // state semacquire in sync.(*WaitGroup).Wait: ≤1.23
  kStatePreempted,       // preempted: 1.14+
  kStateGc120,           // GC worker (active), GC mark termination, stopping the world: 1.20+
  kStateRuntime122,      // coroutine, flushing proc caches, trace … status, page trace flush: 1.22+
  kStateWeakToStrong,    // GC weak to strong wait: 1.23+
  kStateSynctest,        // synctest.Run / synctest.Wait: 1.24+
  kStateRuntime125,      // GOMAXPROCS updater (idle), cleanup wait: 1.25+
  kStateCgoCallback,     // waiting for cgo callback: 1.26+
  kSynctestQualifier,    // `(synctest)`: 1.24 only
  kSynctestGroup,        // `, synctest group N`: 1.24 only
  kDurable,              // `(durable)`: 1.25+
  kSynctestBubble,       // `, synctest bubble N`: 1.25+
  kLeaked,               // `(leaked)`: 1.26+
  kLabelsInBracket,      // ` labels:{…}` inside the bracket: 1.26 only
  kLabelsAfterBracket,   // ` {…}` after the bracket: 1.27+
  kLeakProfile,          // `goroutineleak profile`: 1.26+
  kDeepDebug1,           // a debug=1 record of more than 32 PCs: 1.23+
  kArgsAggregate,        // `{…}` in a frame's arguments: 1.17+
  kArgsUnsure,           // `0x1?`: an argument marked possibly wrong: 1.18+
  kGowrap,               // `.gowrapN` / `.deferwrapN` functions: 1.22+
  kRangeFunc,            // `F-rangeN` loop bodies: 1.22+ (1.22 with GOEXPERIMENT=rangefunc)
  kInternalSync,         // internal/sync frames: 1.24+
  kGlobClosure,          // `pkg.glob..funcN`: ≤1.21
  kGeneric,              // `[...]` in a function name: 1.18+
  kCRuntime,             // runtime .c/.goc files, or GOROOT/src/pkg/…: ≤1.4
  // Not bounds by themselves: frames the state clues above are paired with.
  kFrameWaitGroupWait,   // sync.(*WaitGroup).Wait
  kFrameSyncLock,        // sync.(*Mutex).Lock / lockSlow, sync.(*RWMutex).Lock / RLock
  kCount,
};

inline constexpr uint64_t clue_bit(VersionClue c) {
  return uint64_t{1} << static_cast<unsigned>(c);
}

struct VersionEvidence {
  uint64_t clues = 0;          // clue_bit()s seen
  uint64_t goroot_minors = 0;  // bit m: a stdlib path lies under a GOROOT named for Go 1.m
  void add(VersionClue c) { clues |= clue_bit(c); }
  void merge(const VersionEvidence& o) {
    clues |= o.clues;
    goroot_minors |= o.goroot_minors;
  }
};

// The clue bits of one function name (kGowrap, kRangeFunc, kInternalSync,
// kGlobClosure, kGeneric, kFrameWaitGroupWait, kFrameSyncLock). Pure;
// the parser calls it once per distinct name.
uint64_t function_clues(std::string_view func);

// What a file path says: the Go minor version of the GOROOT it lies under
// (1–63) in the low six bits, kSrcPkgLayout when it is a pre-1.5 runtime
// file (`GOROOT/src/pkg/…`, `proc.c`), 0 when nothing. The GOROOT counts
// only when what follows its `/src/` is a standard-library package:
// `/usr/lib/go-1.19/src/net/http/server.go`, `…/golang.org/toolchain@
// v0.0.1-go1.22.3.linux-amd64/src/…`, `/opt/hostedtoolcache/go/1.22.3/x64/
// src/…`, `…/.asdf/installs/golang/1.21.5/go/src/…`; `/usr/local/go`
// names no version.
inline constexpr uint8_t kSrcPkgLayout = 0x80;
uint8_t file_version_facts(std::string_view path);
// Adds what file_version_facts() found to `e`.
void add_file_facts(uint8_t facts, VersionEvidence* e);

// Clues of a printed (not inferred) wait reason, qualifiers removed.
uint64_t state_clues(std::string_view reason);

// The range the evidence allows, with its basis: the clues that set each
// bound ("gowrap frames; semacquire under WaitGroup.Wait"). Not known()
// when nothing was seen. Conflicting clues (a file of two dumps glued
// into one snapshot, a doctored dump) give the span between them, so that
// no version any clue allows is excluded, and the basis says so.
GoVersionRange infer_go_version(const VersionEvidence& e);

}  // namespace gorleak
