#include "parse/pprof_goroutines.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "model/goroutine.h"
#include "parse/labels.h"
#include "parse/state_inference.h"

namespace gorleak {

namespace {

// Hidden at the top of a debug=1 stack (Go 1.26+ printStackRecord; older
// versions hide "runtime." only, and never have internal/runtime frames on
// top of a goroutine).
bool hidden_on_top(std::string_view func) {
  return func.starts_with("runtime.") || func.starts_with("internal/runtime/");
}

// Go's %q, enough for sorting the way debug=1 does: escapes what
// normalize_labels (parse/labels.h) unescapes.
void append_go_quoted(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      out->append("\\x");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// The labels as debug=1 prints them, `{"k":"v", "k2":"v2"}` sorted as
// text (runtime/pprof labelMap.String), then normalised like theirs.
void labels_text(const PprofProfile& p, const PprofProfile::Sample& s,
                 std::vector<std::string>* scratch, std::string* out) {
  out->clear();
  scratch->clear();
  for (const PprofLabel& l : s.labels) {
    if (l.str == 0) continue;  // numeric labels are not goroutine labels
    std::string kv;
    append_go_quoted(p.str(l.key), &kv);
    kv.push_back(':');
    append_go_quoted(p.str(l.str), &kv);
    scratch->push_back(std::move(kv));
  }
  if (scratch->empty()) return;
  std::sort(scratch->begin(), scratch->end());
  std::string raw;
  for (const std::string& kv : *scratch) {
    if (!raw.empty()) raw += ", ";
    raw += kv;
  }
  normalize_labels(raw, out);
}

}  // namespace

void emit_pprof_goroutines(const PprofProfile& profile, Catalog& catalog, DumpSink& sink) {
  const bool leak_profile = profile.kind() == PprofKind::kGoroutineLeak;
  uint64_t total = 0;
  for (size_t i = 0; i < profile.sample_count(); ++i) {
    auto v = profile.sample(i).values;
    if (!v.empty() && v[0] > 0) total += static_cast<uint64_t>(v[0]);
  }
  SnapshotStart start;
  start.form = Form::kProto;
  start.declared_total = total;
  if (leak_profile) start.cause = "goroutineleak profile";
  sink.begin_snapshot(start);

  Goroutine g;
  std::vector<Frame> all;
  std::vector<std::string> scratch;
  for (size_t i = 0; i < profile.sample_count(); ++i) {
    PprofProfile::Sample s = profile.sample(i);
    if (s.values.empty() || s.values[0] <= 0) continue;
    g.clear();
    g.count = static_cast<uint64_t>(s.values[0]);
    g.leaked = leak_profile;
    profile.frames(s.stack, catalog, &all);
    auto name = [&](size_t k) {
      return k < all.size() ? catalog.str(all[k].func) : std::string_view();
    };
    // The whole stack first (runtime.gopark under runtime.chanrecv), then
    // the visible frames as debug=1 would.
    InferredState st = infer_state(name(0), name(1));
    size_t first = 0;
    while (first < all.size() && all[first].func != 0 && hidden_on_top(name(first))) ++first;
    if (first == all.size()) first = 0;  // nothing but runtime: show it all
    if (st.reason.empty()) st = infer_state(name(first), name(first + 1));
    g.state.assign(st.reason);
    g.category = st.category;
    g.state_inferred = !st.reason.empty();
    for (size_t k = first; k < all.size(); ++k)
      if (catalog.str(all[k].func) != "runtime.goexit") g.frames.push_back(all[k]);
    labels_text(profile, s, &scratch, &g.labels);
    sink.goroutine(g);
  }
  SnapshotEnd end;
  end.form = Form::kProto;
  sink.end_snapshot(end);
}

}  // namespace gorleak
