// Group signatures: what makes "the same goroutines" recognisable in two
// dumps taken minutes or restarts apart. Goroutine ids, argument values,
// pointers and PC offsets change between runs; function names and file:line
// of the frames and the `created by` site do not (for one build).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/catalog.h"
#include "model/frame.h"
#include "model/snapshot.h"

namespace gorleak {

enum class SignatureMode : uint8_t {
  // Every frame (function + file:line) plus the created-by site.
  kExact,
  // For comparing a debug=1 dump with a debug=2 / crash dump of the same
  // program: debug=1 prints no `created by` line, shows the wrapper frames
  // that tracebacks hide (gowrapN, deferwrapN, -fm), and hides leading
  // runtime frames while crash tracebacks show them. So this signature is
  // built from the frames alone with runtime.* frames and named wrappers
  // dropped. A second, looser key (cross_form_fallback) also drops the
  // outermost frame, for Go ≤ 1.21 `go f(x)` wrappers named like closures.
  kCrossForm,
  // kCrossForm plus the created-by site: a level-1 traceback (debug=2)
  // against a crash dump that may be level 2 (SIGQUIT: runtime and wrapper
  // frames shown). Both print `created by`, which tells apart goroutines
  // with the same frames started from different `go` statements.
  kCrossLevel,
};
// "exact", "cross-form", "cross-level"
std::string_view signature_mode_name(SignatureMode m);

// A pprof count profile (debug=1, or goroutineleak debug=1): no ids, no
// `created by` lines, no states.
bool is_count_profile(const Snapshot& s);

// kCrossForm as soon as a count profile is compared with a traceback,
// kCrossLevel when level-1 tracebacks (debug=2, goroutineleak debug=2) are
// compared with crash output, kExact otherwise.
SignatureMode choose_signature_mode(const std::vector<const Snapshot*>& dumps);

// Hash of the frames' strings (never of interned ids), so signatures from
// different Catalogs — dumps loaded separately — compare equal.
uint64_t stack_signature(const Catalog& catalog, const Frame* frames, size_t n,
                         const CreatedBy& created_by, SignatureMode mode);
uint64_t group_signature(const Catalog& catalog, const Group& group, SignatureMode mode);

// The frames' function names only, as stack_signature(kCrossForm) keeps
// them (no runtime frames, no go/defer wrappers), and the created-by
// function (0: none): no file, no line, no ids or arguments. It survives
// restarts, rebuilds on another machine (other paths), the dump form
// (debug=1 against debug=2) and edits that move lines, and changes only when
// the chain of calls changes. Used by finding fingerprints
// (report/fingerprint.h), so its value is an interface: keep it stable.
uint64_t function_signature(const Catalog& catalog, const Frame* frames, size_t n,
                            StrId created_by_func);

// The exact signature with each string's hash memoised by StrId, for
// per-goroutine use (the same-object collector): equal to
// stack_signature(…, kExact).
class ExactSignatureCache {
 public:
  explicit ExactSignatureCache(const Catalog& catalog) : catalog_(catalog) {}
  uint64_t signature(const Frame* frames, size_t n, const CreatedBy& created_by);

 private:
  uint64_t hash_of(StrId id);
  const Catalog& catalog_;
  std::vector<uint64_t> hashes_;  // by StrId
  std::vector<bool> known_;
};

// The cross-form signature of the group's stack without its outermost kept
// frame (the plain cross-form one when one frame or fewer is kept): a Go ≤
// 1.21 debug=1 record shows the `go f(x)` wrapper ("main.main.func3") that the
// traceback hides, so this key of the debug=1 side can equal the traceback
// side's cross-form signature.
uint64_t cross_form_fallback(const Catalog& catalog, const Group& group,
                             SignatureMode mode = SignatureMode::kCrossForm);

// True for frames a debug=1 profile and a traceback may disagree on.
bool is_cross_form_noise(std::string_view func, std::string_view file);

// Which frames a dump shows: 0 count profile (debug=1), 1 level-1 traceback
// (debug=2, runtime.Stack, goroutineleak debug=2), 2 crash output (may be a
// level-2 traceback with runtime and wrapper frames).
int dump_kind(const Snapshot& s);

}  // namespace gorleak
