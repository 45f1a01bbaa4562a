// Comparing N dumps of one program group by group: BASE → NEW (two dumps),
// or IDLE → LOADED → AFTER (three or more), where the question is which
// groups grew under load and which of those stayed after the load stopped.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diff/growth.h"
#include "diff/signature.h"
#include "model/catalog.h"
#include "model/snapshot.h"
#include "model/state.h"

namespace gorleak {

// One input dump. Snapshots may come from different Catalogs.
struct DiffDump {
  std::string name;  // as given on the command line
  const Snapshot* snapshot = nullptr;
  const Catalog* catalog = nullptr;
};

enum class DiffStatus : uint8_t {
  kNew,      // absent in the first dump, present in the last
  kGrown,    // more in the last dump than in the first
  kShrunk,   // fewer, but not zero
  kGone,     // present in the first dump, absent in the last
  kSame,     // equal counts
  kStayed,   // ≥ 3 dumps: grew under load and kept the growth (a leak)
  kDrained,  // ≥ 3 dumps: grew under load and gave it back (load, not a leak)
};
std::string_view diff_status_name(DiffStatus s);  // "new", "grown", …, "drained"

// With three or more dumps: I = first (idle), L = the largest count of the
// middle dumps (loaded), A = last (after). A group grew under load when
//   L − I ≥ max(min_load_growth, ⌈load_growth_ratio × I⌉);
// it then *stayed* when A − I ≥ stay_fraction × (L − I), else it *drained*.
// Groups that did not grow under load get the two-dump status of I → A.
// Two dumps use exact counts: any increase is `grown`.
struct DiffThresholds {
  uint64_t min_load_growth = 5;
  double load_growth_ratio = 0.10;
  double stay_fraction = 0.50;
};

struct DiffOptions {
  std::optional<SignatureMode> mode;  // default: choose_signature_mode()
  DiffThresholds thresholds;
  GrowthRule growth;  // what DiffRow::growth calls growth (diff/growth.h)
};

struct GroupRef {
  uint32_t dump = 0;
  uint32_t group = 0;  // index into that dump's Snapshot::groups
};

// Goroutines sharing one signature across the dumps. Groups of one dump
// that map to one signature (same stack in two states, or stacks the
// cross-form key cannot tell apart) are merged.
struct DiffRow {
  uint64_t signature = 0;
  std::vector<uint64_t> counts;               // per dump
  std::vector<std::vector<uint32_t>> groups;  // per dump: the merged groups
  DiffStatus status = DiffStatus::kSame;
  GroupRef frames_from;  // whose stack shows the row (a traceback when any)
  GroupRef state_from;   // whose state the row shows (a dump that prints states)
  uint64_t peak = 0;     // ≥ 3 dumps: the largest middle count (L)
  uint64_t change = 0;   // max |count − first count|: the sort key
  Growth growth;         // the counts against the one definition (diff/growth.h)

  int64_t delta() const {
    return static_cast<int64_t>(counts.back()) - static_cast<int64_t>(counts.front());
  }
  bool present_in(size_t dump) const { return counts[dump] > 0; }
};

struct SnapshotDiff {
  std::vector<DiffDump> dumps;
  SignatureMode mode = SignatureMode::kExact;
  DiffThresholds thresholds;
  GrowthRule growth_rule;
  std::vector<bool> restart_before;  // per dump: the service restarted since the dump before
  std::vector<DiffRow> rows;  // largest absolute change first
  // states[category][dump]: goroutines per state category.
  std::array<std::vector<uint64_t>, kStateCategoryCount> states;
  std::vector<uint64_t> totals;  // per dump
  uint64_t cross_form_fallback_matches = 0;  // rows joined by the looser key
  // row_of[dump][group]: the row a group was merged into.
  std::vector<std::vector<uint32_t>> row_of;

  bool three_way() const { return dumps.size() >= 3; }
  size_t count(DiffStatus s) const;
  const Group& group(GroupRef r) const { return dumps[r.dump].snapshot->groups[r.group]; }
  const Catalog& catalog(GroupRef r) const { return *dumps[r.dump].catalog; }
  const Stack& stack(const DiffRow& row) const {
    return catalog(row.frames_from).stacks.get(group(row.frames_from).stack);
  }
  // The row's wait reason and category, from a dump that prints states.
  std::string_view state(const DiffRow& row) const;
  StateCategory category(const DiffRow& row) const;
};

SnapshotDiff diff_snapshots(std::vector<DiffDump> dumps, const DiffOptions& options = {});

// The status rule above, on one count series (exposed for tests and trend).
DiffStatus diff_status(const std::vector<uint64_t>& counts, const DiffThresholds& t,
                       uint64_t* peak = nullptr);

// Did the count go up from the first dump to the last (new, grown,
// stayed)? A status only; whether a group *grows* is DiffRow::growth.
inline bool is_increase(DiffStatus s) {
  return s == DiffStatus::kNew || s == DiffStatus::kGrown || s == DiffStatus::kStayed;
}

}  // namespace gorleak
