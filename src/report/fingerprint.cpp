#include "report/fingerprint.h"

#include <cstdint>
#include <vector>

#include <fmt/format.h>

#include "diff/signature.h"
#include "model/func_name.h"

namespace gorleak {

namespace {

constexpr size_t kNoSite = ~size_t{0};

// Index of the leak site in `stack`: the first frame at the site's
// function, file and line, else the first at its function; kNoSite when
// absent (a finding may cover companion groups without the site: an unread
// response body's writeLoop beside its readLoop), 0 without a site.
size_t site_index(const Stack& stack, const SourceSite& site) {
  if (site.func == 0) return 0;
  for (size_t i = 0; i < stack.frames.size(); ++i) {
    const Frame& f = stack.frames[i];
    if (f.func == site.func && f.file == site.file && f.line == site.line) return i;
  }
  for (size_t i = 0; i < stack.frames.size(); ++i)
    if (stack.frames[i].func == site.func) return i;
  return kNoSite;
}

// "SPAWNER.funcN", or "SPAWNER.N" when SPAWNER is a closure itself
// ("main.start.func1.1"): a closure of the function that ran `go`.
bool is_closure_of(std::string_view func, std::string_view spawner) {
  if (!func.starts_with(spawner) || !func.substr(spawner.size()).starts_with(".")) return false;
  std::string_view rest = func.substr(spawner.size() + 1);
  if (rest.starts_with("func")) rest.remove_prefix(4);
  return !rest.empty() && rest.find_first_not_of("0123456789") == std::string_view::npos;
}

// Go 1.21 and older compile `go f(x)` into a closure of the spawning
// function ("main.main.func5") placed at the `go` statement: at its line, or,
// for `go func(x){…}(x)` over several lines, at the closing `}(x)`, calling
// the closure literal. Level-1 tracebacks hide it; crash output (level 2)
// shows it as the outermost frame. The test is the same for every form, so
// a one-line `go func() { f() }()` is dropped everywhere alike.
bool is_go_statement_wrapper(const Frame& outer, const Frame& inner, const CreatedBy& cb,
                             const Catalog& catalog) {
  if (!cb.present() || outer.file != cb.file) return false;
  std::string_view spawner = catalog.str(cb.func);
  if (!is_closure_of(catalog.str(outer.func), spawner)) return false;
  if (outer.line == cb.line) return true;
  return inner.file == cb.file && is_closure_of(catalog.str(inner.func), spawner) &&
         inner.line >= cb.line && inner.line <= outer.line && outer.line > cb.line;
}

// The path of `stack` from frame `from` on.
std::string site_path(const Stack& stack, size_t from, const Catalog& catalog) {
  std::vector<const Frame*> kept;
  for (size_t i = from; i < stack.frames.size(); ++i) {
    const Frame& f = stack.frames[i];
    std::string_view func = catalog.str(f.func);
    if (is_cross_form_noise(func, catalog.str(f.file))) continue;
    // Past the site, standard-library frames (net/http calling a handler)
    // change with the Go version, not with the program: left out.
    if (i > from && is_stdlib_func(func)) continue;
    kept.push_back(&f);
  }
  size_t n = kept.size();
  if (n > 1 && is_go_statement_wrapper(*kept[n - 1], *kept[n - 2], stack.created_by, catalog))
    kept.pop_back();
  std::string path;
  for (const Frame* f : kept) {
    path += catalog.str(f->func);
    path += '\n';
  }
  return path;
}

}  // namespace

std::string fingerprint_text(const Finding& finding, const Snapshot& snapshot,
                             const Catalog& catalog) {
  bool have = false;
  std::string path;
  for (uint32_t gi : finding.groups) {
    if (gi >= snapshot.groups.size()) continue;
    const Stack& stack = catalog.stacks.get(snapshot.groups[gi].stack);
    size_t from = site_index(stack, finding.site);
    if (from == kNoSite) continue;
    std::string p = site_path(stack, from, catalog);
    if (!have || p < path) path = std::move(p);
    have = true;
  }
  if (!have && !finding.groups.empty() && finding.groups.front() < snapshot.groups.size())
    path = site_path(catalog.stacks.get(snapshot.groups[finding.groups.front()].stack), 0, catalog);
  return fmt::format("{}\n{}\n{}\n{}", kFingerprintVersion, finding.rule,
                     finding.site.func ? catalog.str(finding.site.func) : std::string_view(),
                     path);
}

std::string fingerprint_of_text(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;  // FNV 64 prime
  }
  return fmt::format("{:016x}", h);
}

std::string finding_fingerprint(const Finding& finding, const Snapshot& snapshot,
                                const Catalog& catalog) {
  return fingerprint_of_text(fingerprint_text(finding, snapshot, catalog));
}

void set_fingerprints(std::vector<Finding>& findings, const Snapshot& snapshot,
                      const Catalog& catalog) {
  for (Finding& f : findings) f.fingerprint = finding_fingerprint(f, snapshot, catalog);
}

}  // namespace gorleak
