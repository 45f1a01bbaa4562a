#include "group/repeat_fold.h"

#include <algorithm>
#include <string_view>

#include "model/strings.h"

namespace gorleak {

namespace {

uint64_t event_hash(const Snapshot& s) {
  uint64_t h = hash_mix(0x51ed270b27a1f3c5ULL, static_cast<uint64_t>(s.form));
  h = hash_mix(h, hash_bytes(s.cause));
  h = hash_mix(h, static_cast<uint64_t>(s.leak_report));
  h = hash_mix(h, s.total);
  for (const Group& g : s.groups) {
    h = hash_mix(h, g.stack);
    h = hash_mix(h, g.state);
    h = hash_mix(h, g.count);
  }
  return hash_mix(h, s.spawns.size());
}

// The narrower of two version ranges, or false when they contradict.
bool intersect(const GoVersionRange& a, const GoVersionRange& b, GoVersionRange* out) {
  const bool b_min = b.min_minor > a.min_minor;
  const bool b_max = b.max_minor != 0 && (a.max_minor == 0 || b.max_minor < a.max_minor);
  *out = a;
  if (b_min) out->min_minor = b.min_minor;
  if (b_max) out->max_minor = b.max_minor;
  // One phrase names the range: b's when b narrowed it, unless a's lower
  // bound is the tighter one.
  if (b_min || (b_max && b.min_minor >= a.min_minor)) out->basis = b.basis;
  return out->max_minor == 0 || out->min_minor <= out->max_minor;
}

}  // namespace

bool is_event_record(const Snapshot& s) {
  // A cut or damaged record keeps its own section and diagnostics.
  if (s.truncated || !s.diagnostics.empty()) return false;
  // One goroutine's traceback (runtime.Stack(buf, false) in a log). A
  // profile of one goroutine or none (debug=1, goroutineleak, protobuf) may
  // be a point of a series, as appended profiles are.
  return s.form == Form::kCrash || (s.form == Form::kDebug2 && s.total == 1);
}

bool same_event(const Snapshot& a, const Snapshot& b) {
  if (a.form != b.form || a.cause != b.cause || a.leak_report != b.leak_report ||
      a.total != b.total || a.leaked != b.leaked || a.declared_total != b.declared_total ||
      a.groups.size() != b.groups.size() || a.spawns.size() != b.spawns.size() ||
      a.spawners.size() != b.spawners.size())
    return false;
  for (size_t i = 0; i < a.groups.size(); ++i) {
    const Group& x = a.groups[i];
    const Group& y = b.groups[i];
    if (x.stack != y.stack || x.state != y.state || x.category != y.category ||
        x.state_inferred != y.state_inferred || x.count != y.count || x.leaked != y.leaked ||
        x.locked_to_thread != y.locked_to_thread || x.labels != y.labels)
      return false;
  }
  for (size_t i = 0; i < a.spawns.size(); ++i) {
    const SpawnEdge& x = a.spawns[i];
    const SpawnEdge& y = b.spawns[i];
    // Parent ids are goroutine ids: another run of the program numbers
    // them differently.
    if (x.has_parent != y.has_parent || x.func != y.func || x.file != y.file ||
        x.line != y.line || x.group != y.group || x.count != y.count)
      return false;
  }
  GoVersionRange both;
  return intersect(a.go_version, b.go_version, &both);
}

void fold_repeat(Snapshot& into, const Snapshot& from) {
  into.repeats += 1 + from.repeats;
  into.last_repeat_line = from.repeats ? from.last_repeat_line : from.first_line;
  into.skipped_lines += from.skipped_lines;
  into.max_goroutine_id = std::max(into.max_goroutine_id, from.max_goroutine_id);
  GoVersionRange both;
  if (intersect(into.go_version, from.go_version, &both)) into.go_version = std::move(both);
  for (size_t i = 0; i < into.groups.size(); ++i) {
    Group& x = into.groups[i];
    const Group& y = from.groups[i];
    if (y.max_wait < 0) continue;
    x.min_wait = x.min_wait < 0 ? y.min_wait : std::min(x.min_wait, y.min_wait);
    x.max_wait = std::max(x.max_wait, y.max_wait);
  }
}

bool RepeatFold::fold(const Snapshot& s, std::vector<Snapshot>& out) {
  if (!is_event_record(s)) return false;
  std::vector<size_t>& same_hash = seen_[event_hash(s)];
  for (size_t at : same_hash) {
    if (at < out.size() && out[at].source == s.source && same_event(out[at], s)) {
      fold_repeat(out[at], s);
      return true;
    }
  }
  same_hash.push_back(out.size());
  return false;
}

}  // namespace gorleak
