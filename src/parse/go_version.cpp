#include "parse/go_version.h"

#include <fmt/format.h>

#include "model/func_name.h"
#include "parse/line_syntax.h"

namespace gorleak {

namespace {

// What each clue proves. 0 is an open bound. The phrases are the report's
// words for the clue ("Go 1.22–1.23 (gowrap frames; semacquire under
// WaitGroup.Wait)").
struct ClueBound {
  VersionClue clue;
  uint32_t min_minor;
  uint32_t max_minor;
  std::string_view phrase;
};

constexpr ClueBound kBounds[] = {
    {VersionClue::kGpField, 22, 0, "gp= in headers"},
    {VersionClue::kInGoroutine, 21, 0, "created by … in goroutine N"},
    {VersionClue::kCreatedByNoParent, 0, 20, "created by without in goroutine N"},
    {VersionClue::kElidedCount, 21, 0, "...N frames elided..."},
    {VersionClue::kElidedAdditional, 0, 20, "...additional frames elided..."},
    {VersionClue::kStateSyncLock, 20, 0, "sync.Mutex.Lock wait reasons"},
    {VersionClue::kStateWaitGroup, 24, 0, "sync.WaitGroup.Wait wait reason"},
    {VersionClue::kSemacquireLock, 0, 19, "semacquire under Mutex.Lock"},
    {VersionClue::kSemacquireWaitGroup, 0, 23, "semacquire under WaitGroup.Wait"},
    {VersionClue::kStatePreempted, 14, 0, "preempted wait reason"},
    {VersionClue::kStateGc120, 20, 0, "Go 1.20 GC wait reasons"},
    {VersionClue::kStateRuntime122, 22, 0, "Go 1.22 runtime wait reasons"},
    {VersionClue::kStateWeakToStrong, 23, 0, "GC weak to strong wait"},
    {VersionClue::kStateSynctest, 24, 0, "synctest wait reasons"},
    {VersionClue::kStateRuntime125, 25, 0, "Go 1.25 runtime wait reasons"},
    {VersionClue::kStateCgoCallback, 26, 0, "waiting for cgo callback"},
    {VersionClue::kSynctestQualifier, 24, 24, "(synctest) qualifier"},
    {VersionClue::kSynctestGroup, 24, 24, "synctest group N"},
    {VersionClue::kDurable, 25, 0, "(durable) qualifier"},
    {VersionClue::kSynctestBubble, 25, 0, "synctest bubble N"},
    {VersionClue::kLeaked, 26, 0, "(leaked) qualifier"},
    {VersionClue::kLabelsInBracket, 26, 26, "labels inside the header bracket"},
    {VersionClue::kLabelsAfterBracket, 27, 0, "labels after the header bracket"},
    {VersionClue::kLeakProfile, 26, 0, "goroutineleak profile"},
    {VersionClue::kDeepDebug1, 23, 0, "debug=1 records deeper than 32"},
    {VersionClue::kArgsAggregate, 17, 0, "{…} arguments"},
    {VersionClue::kArgsUnsure, 18, 0, "? after arguments"},
    {VersionClue::kGowrap, 22, 0, "gowrap frames"},
    {VersionClue::kRangeFunc, 22, 0, "range-over-func bodies"},
    {VersionClue::kInternalSync, 24, 0, "internal/sync frames"},
    {VersionClue::kGlobClosure, 0, 21, "glob..func closures"},
    {VersionClue::kGeneric, 18, 0, "generic [...] frames"},
    {VersionClue::kCRuntime, 0, 4, "C runtime files"},
};

bool digit(char c) { return c >= '0' && c <= '9'; }
bool alnum(char c) {
  return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// "1.NN" at the start of `s`, followed by a non-digit or the end: NN.
uint32_t minor_after_one_dot(std::string_view s) {
  if (s.size() < 3 || s[0] != '1' || s[1] != '.' || !digit(s[2])) return 0;
  uint32_t m = 0;
  size_t i = 2;
  for (; i < s.size() && digit(s[i]); ++i) {
    m = m * 10 + static_cast<uint32_t>(s[i] - '0');
    if (m > 63) return 0;
  }
  return m;
}

// The last Go version a GOROOT directory names, element by element:
// `go1.22…` or `go-1.19` at the start of an element or after a
// non-alphanumeric byte (`toolchain@v0.0.1-go1.22.3.linux-amd64`,
// `/nix/store/…-go-1.21.5`), or an element `1.22.3` right after a `go` or
// `golang` element (hostedtoolcache, Homebrew's Cellar, asdf).
uint32_t goroot_minor(std::string_view root) {
  uint32_t found = 0;
  std::string_view parent;
  while (!root.empty()) {
    size_t slash = root.find('/');
    std::string_view element = root.substr(0, slash);
    root = slash == std::string_view::npos ? std::string_view() : root.substr(slash + 1);
    if (parent == "go" || parent == "golang")
      if (uint32_t m = minor_after_one_dot(element)) found = m;
    for (size_t i = 0; i + 2 < element.size(); ++i) {
      if (element[i] != 'g' || element[i + 1] != 'o' || (i > 0 && alnum(element[i - 1])))
        continue;
      std::string_view rest = element.substr(i + 2);
      if (!rest.empty() && rest[0] == '-') rest.remove_prefix(1);
      if (uint32_t m = minor_after_one_dot(rest)) found = m;
    }
    parent = element;
  }
  return found;
}

// `pkg.F.gowrap1`, `pkg.F.deferwrap2`: the last element, digits after the word.
bool has_numbered_suffix(std::string_view func, std::string_view word) {
  size_t dot = func.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string_view last = func.substr(dot + 1);
  if (!starts_with(last, word) || last.size() == word.size()) return false;
  for (char c : last.substr(word.size()))
    if (!digit(c)) return false;
  return true;
}

}  // namespace

uint64_t function_clues(std::string_view func) {
  uint64_t bits = 0;
  if (has_numbered_suffix(func, "gowrap") || has_numbered_suffix(func, "deferwrap"))
    bits |= clue_bit(VersionClue::kGowrap);
  // A `-range1` body: '-' cannot appear in a Go identifier, only in names
  // the compiler makes ("-fm" method values, "-rangeN" loop bodies).
  if (size_t r = func.find("-range"); r != std::string_view::npos &&
                                      r + 6 < func.size() && digit(func[r + 6]))
    bits |= clue_bit(VersionClue::kRangeFunc);
  if (starts_with(func, "internal/sync.")) bits |= clue_bit(VersionClue::kInternalSync);
  if (func.find(".glob..func") != std::string_view::npos)
    bits |= clue_bit(VersionClue::kGlobClosure);
  if (func.find("[...]") != std::string_view::npos) bits |= clue_bit(VersionClue::kGeneric);
  if (func == "sync.(*WaitGroup).Wait") bits |= clue_bit(VersionClue::kFrameWaitGroupWait);
  if (func == "sync.(*Mutex).Lock" || func == "sync.(*Mutex).lockSlow" ||
      func == "sync.(*RWMutex).Lock" || func == "sync.(*RWMutex).RLock")
    bits |= clue_bit(VersionClue::kFrameSyncLock);
  return bits;
}

uint8_t file_version_facts(std::string_view path) {
  uint8_t facts = 0;
  // The GOROOT is what precedes the last `/src/` that a standard-library
  // package follows (`/src/pkg/` before Go 1.4).
  size_t at = path.size();
  while (at > 0) {
    size_t src = path.rfind("/src/", at - 1);
    if (src == std::string_view::npos) break;
    std::string_view rest = path.substr(src + 5);
    bool pkg_layout = starts_with(rest, "pkg/");
    if (pkg_layout) rest.remove_prefix(4);
    if (rest.find('/') != std::string_view::npos && is_stdlib_func(rest)) {
      if (pkg_layout) facts |= kSrcPkgLayout;
      facts |= static_cast<uint8_t>(goroot_minor(path.substr(0, src)));
      break;
    }
    at = src;
  }
  // The runtime was C until Go 1.5 (proc.c, sema.goc).
  if (ends_with(path, ".goc") ||
      (ends_with(path, ".c") && path.find("/runtime/") != std::string_view::npos &&
       path.find("/src/") != std::string_view::npos))
    facts |= kSrcPkgLayout;
  return facts;
}

void add_file_facts(uint8_t facts, VersionEvidence* e) {
  if (facts & kSrcPkgLayout) e->add(VersionClue::kCRuntime);
  if (uint8_t m = facts & 0x3f) e->goroot_minors |= uint64_t{1} << m;
}

uint64_t state_clues(std::string_view r) {
  if (r.size() < 8) return 0;  // "running", "select", "sleep", "IO wait"…
  switch (r[0]) {
    case 's':
      if (r == "sync.Mutex.Lock" || r == "sync.RWMutex.RLock" || r == "sync.RWMutex.Lock")
        return clue_bit(VersionClue::kStateSyncLock);
      if (r == "sync.WaitGroup.Wait") return clue_bit(VersionClue::kStateWaitGroup);
      if (r == "synctest.Run" || r == "synctest.Wait") return clue_bit(VersionClue::kStateSynctest);
      if (r == "stopping the world") return clue_bit(VersionClue::kStateGc120);
      return 0;
    case 'G':
      if (r == "GC worker (active)" || r == "GC mark termination")
        return clue_bit(VersionClue::kStateGc120);
      if (r == "GC weak to strong wait") return clue_bit(VersionClue::kStateWeakToStrong);
      if (r == "GOMAXPROCS updater (idle)") return clue_bit(VersionClue::kStateRuntime125);
      return 0;
    case 'c':
      if (r == "coroutine") return clue_bit(VersionClue::kStateRuntime122);
      if (r == "cleanup wait") return clue_bit(VersionClue::kStateRuntime125);
      return 0;
    case 'f':
      return r == "flushing proc caches" ? clue_bit(VersionClue::kStateRuntime122) : 0;
    case 't':
      return r == "trace goroutine status" || r == "trace proc status"
                 ? clue_bit(VersionClue::kStateRuntime122)
                 : 0;
    case 'p':
      if (r == "preempted") return clue_bit(VersionClue::kStatePreempted);
      return r == "page trace flush" ? clue_bit(VersionClue::kStateRuntime122) : 0;
    case 'w':
      return r == "waiting for cgo callback" ? clue_bit(VersionClue::kStateCgoCallback) : 0;
    default:
      return 0;
  }
}

GoVersionRange infer_go_version(const VersionEvidence& e) {
  GoVersionRange r;
  std::string_view min_basis, max_basis;
  for (const ClueBound& b : kBounds) {
    if ((e.clues & clue_bit(b.clue)) == 0) continue;
    if (b.min_minor > r.min_minor) {
      r.min_minor = b.min_minor;
      min_basis = b.phrase;
    }
    if (b.max_minor != 0 && (r.max_minor == 0 || b.max_minor < r.max_minor)) {
      r.max_minor = b.max_minor;
      max_basis = b.phrase;
    }
  }
  std::string goroot;
  if (e.goroot_minors != 0) {
    // One binary has one GOROOT; several (two dumps in one snapshot) span.
    uint32_t lo = static_cast<uint32_t>(__builtin_ctzll(e.goroot_minors));
    uint32_t hi = static_cast<uint32_t>(63 - __builtin_clzll(e.goroot_minors));
    goroot = lo == hi ? fmt::format("GOROOT go1.{}", lo)
                      : fmt::format("GOROOTs go1.{} to go1.{}", lo, hi);
    if (lo >= r.min_minor) {
      r.min_minor = lo;
      min_basis = goroot;
    }
    if (r.max_minor == 0 || hi <= r.max_minor) {
      r.max_minor = hi;
      max_basis = goroot;
    }
  }
  if (!r.known()) return r;
  if (r.max_minor != 0 && r.min_minor > r.max_minor) {
    std::swap(r.min_minor, r.max_minor);
    r.basis = fmt::format("conflicting clues: {} against {}", min_basis, max_basis);
    return r;
  }
  if (min_basis.empty() || min_basis == max_basis) r.basis = std::string(max_basis);
  else if (max_basis.empty()) r.basis = std::string(min_basis);
  else r.basis = fmt::format("{}; {}", min_basis, max_basis);
  return r;
}

}  // namespace gorleak
