#include "diff/snapshot_diff.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <utility>

namespace gorleak {

std::string_view diff_status_name(DiffStatus s) {
  switch (s) {
    case DiffStatus::kNew: return "new";
    case DiffStatus::kGrown: return "grown";
    case DiffStatus::kShrunk: return "shrunk";
    case DiffStatus::kGone: return "gone";
    case DiffStatus::kSame: return "same";
    case DiffStatus::kStayed: return "stayed";
    case DiffStatus::kDrained: return "drained";
  }
  return "same";
}

namespace {

DiffStatus two_way(uint64_t before, uint64_t after) {
  if (before == 0 && after > 0) return DiffStatus::kNew;
  if (before > 0 && after == 0) return DiffStatus::kGone;
  if (after > before) return DiffStatus::kGrown;
  if (after < before) return DiffStatus::kShrunk;
  return DiffStatus::kSame;
}

uint64_t absdiff(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

}  // namespace

DiffStatus diff_status(const std::vector<uint64_t>& c, const DiffThresholds& t,
                       uint64_t* peak_out) {
  if (c.empty()) return DiffStatus::kSame;
  const uint64_t idle = c.front(), after = c.back();
  if (c.size() < 3) return two_way(idle, after);
  uint64_t peak = *std::max_element(c.begin() + 1, c.end() - 1);
  if (peak_out) *peak_out = peak;
  const uint64_t needed = std::max<uint64_t>(
      t.min_load_growth, static_cast<uint64_t>(std::ceil(t.load_growth_ratio * idle)));
  if (peak < idle || peak - idle < needed) return two_way(idle, after);
  const double grown = static_cast<double>(peak - idle);
  const double kept = after > idle ? static_cast<double>(after - idle) : 0.0;
  return kept >= t.stay_fraction * grown ? DiffStatus::kStayed : DiffStatus::kDrained;
}

size_t SnapshotDiff::count(DiffStatus s) const {
  return static_cast<size_t>(
      std::count_if(rows.begin(), rows.end(), [s](const DiffRow& r) { return r.status == s; }));
}

std::string_view SnapshotDiff::state(const DiffRow& row) const {
  return catalog(row.state_from).str(group(row.state_from).state);
}

StateCategory SnapshotDiff::category(const DiffRow& row) const {
  return group(row.state_from).category;
}

namespace {

class DiffBuilder {
 public:
  DiffBuilder(SnapshotDiff& d) : d_(d), n_(d.dumps.size()) {}

  void add_groups() {
    for (uint32_t di = 0; di < n_; ++di) {
      const DiffDump& dump = d_.dumps[di];
      const auto& groups = dump.snapshot->groups;
      for (uint32_t gi = 0; gi < groups.size(); ++gi) {
        uint64_t sig = group_signature(*dump.catalog, groups[gi], d_.mode);
        DiffRow& row = row_for(sig);
        row.counts[di] += groups[gi].count;
        row.groups[di].push_back(gi);
      }
    }
  }

  // A Go ≤ 1.21 debug=1 record or a level-2 crash traceback shows the `go
  // f(x)` wrapper ("main.main.func3") that a level-1 traceback hides. A row
  // seen only in dumps of one kind whose stack minus its outermost frame is
  // exactly a row seen only in dumps of another kind is the same goroutines:
  // join them when that pairing is unambiguous.
  void join_cross_form_rows() {
    if (d_.mode == SignatureMode::kExact) return;
    std::vector<int> kind(n_);
    for (size_t i = 0; i < n_; ++i) kind[i] = dump_kind(*d_.dumps[i].snapshot);
    auto only_kind = [&](const DiffRow& r) {
      int k = -1;
      for (size_t i = 0; i < n_; ++i) {
        if (r.counts[i] == 0) continue;
        if (k >= 0 && k != kind[i]) return -1;
        k = kind[i];
      }
      return k;
    };
    std::vector<int> row_kind(d_.rows.size());
    std::unordered_map<uint64_t, int64_t> by_signature;  // row, -1 when ambiguous
    for (size_t r = 0; r < d_.rows.size(); ++r) {
      row_kind[r] = only_kind(d_.rows[r]);
      by_signature[d_.rows[r].signature] = static_cast<int64_t>(r);
    }
    std::unordered_map<uint64_t, int64_t> by_fallback;
    std::vector<uint64_t> fallback(d_.rows.size(), 0);
    for (size_t r = 0; r < d_.rows.size(); ++r) {
      if (row_kind[r] < 0) continue;
      GroupRef g = first_group(d_.rows[r]);
      fallback[r] = cross_form_fallback(d_.catalog(g), d_.group(g), d_.mode);
      if (fallback[r] == d_.rows[r].signature) continue;
      auto [it, fresh] = by_fallback.emplace(fallback[r], static_cast<int64_t>(r));
      if (!fresh) it->second = -1;
    }
    std::vector<bool> dead(d_.rows.size(), false);
    for (auto [fb, r] : by_fallback) {
      if (r < 0 || dead[r]) continue;
      auto t = by_signature.find(fb);
      if (t == by_signature.end()) continue;
      size_t into_i = static_cast<size_t>(t->second);
      if (dead[into_i] || row_kind[into_i] < 0 || row_kind[into_i] == row_kind[r]) continue;
      DiffRow& into = d_.rows[into_i];
      DiffRow& from = d_.rows[r];
      for (size_t i = 0; i < n_; ++i) {
        into.counts[i] += from.counts[i];
        into.groups[i].insert(into.groups[i].end(), from.groups[i].begin(), from.groups[i].end());
      }
      dead[r] = true;
      row_kind[into_i] = -1;  // now spans two kinds: joined once only
      ++d_.cross_form_fallback_matches;
    }
    std::vector<DiffRow> kept;
    kept.reserve(d_.rows.size());
    for (size_t r = 0; r < d_.rows.size(); ++r)
      if (!dead[r]) kept.push_back(std::move(d_.rows[r]));
    d_.rows = std::move(kept);
  }

  void finish_rows() {
    for (DiffRow& row : d_.rows) {
      row.status = diff_status(row.counts, d_.thresholds, &row.peak);
      for (uint64_t c : row.counts) row.change = std::max(row.change, absdiff(c, row.counts[0]));
      row.growth = assess_growth(row.counts, d_.growth_rule, &d_.restart_before);
      row.frames_from = representative(row, /*prefer_created_by=*/true);
      row.state_from = representative(row, /*prefer_created_by=*/false);
    }
    std::sort(d_.rows.begin(), d_.rows.end(), [&](const DiffRow& a, const DiffRow& b) {
      if (a.change != b.change) return a.change > b.change;
      if (a.counts.back() != b.counts.back()) return a.counts.back() > b.counts.back();
      if (a.counts.front() != b.counts.front()) return a.counts.front() > b.counts.front();
      std::string_view fa = top_func(a), fb = top_func(b);
      if (fa != fb) return fa < fb;
      return a.signature < b.signature;
    });
  }

  void add_states() {
    for (auto& v : d_.states) v.assign(n_, 0);
    d_.totals.assign(n_, 0);
    for (size_t di = 0; di < n_; ++di) {
      const Snapshot& s = *d_.dumps[di].snapshot;
      for (size_t c = 0; c < kStateCategoryCount; ++c) d_.states[c][di] = s.states[c];
      d_.totals[di] = s.total;
    }
  }

 private:
  DiffRow& row_for(uint64_t sig) {
    auto [it, fresh] = index_.emplace(sig, static_cast<uint32_t>(d_.rows.size()));
    if (fresh) {
      DiffRow& row = d_.rows.emplace_back();
      row.signature = sig;
      row.counts.assign(n_, 0);
      row.groups.resize(n_);
    }
    return d_.rows[it->second];
  }

  GroupRef first_group(const DiffRow& row) const {
    for (uint32_t i = 0; i < n_; ++i)
      if (!row.groups[i].empty()) return GroupRef{i, row.groups[i].front()};
    return GroupRef{};
  }

  // The largest group, preferring dumps that print what we need: states
  // (not count profiles) and, for frames, `created by` lines too.
  GroupRef representative(const DiffRow& row, bool prefer_created_by) const {
    GroupRef best = first_group(row);
    int best_rank = -1;
    uint64_t best_count = 0;
    for (uint32_t di = 0; di < n_; ++di) {
      const DiffDump& dump = d_.dumps[di];
      bool traceback = !is_count_profile(*dump.snapshot);
      for (uint32_t gi : row.groups[di]) {
        const Group& g = dump.snapshot->groups[gi];
        int rank = traceback ? 2 : 0;
        if (traceback && !g.state_inferred) rank += 1;
        if (prefer_created_by && dump.catalog->stacks.get(g.stack).created_by.present()) rank += 1;
        if (rank > best_rank || (rank == best_rank && g.count > best_count)) {
          best = GroupRef{di, gi};
          best_rank = rank;
          best_count = g.count;
        }
      }
    }
    return best;
  }

  std::string_view top_func(const DiffRow& row) const {
    const Stack& s = d_.stack(row);
    return s.frames.empty() ? std::string_view() : d_.catalog(row.frames_from).str(s.frames[0].func);
  }

  SnapshotDiff& d_;
  const size_t n_;
  std::unordered_map<uint64_t, uint32_t> index_;
};

}  // namespace

SnapshotDiff diff_snapshots(std::vector<DiffDump> dumps, const DiffOptions& options) {
  SnapshotDiff d;
  d.dumps = std::move(dumps);
  d.thresholds = options.thresholds;
  d.growth_rule = options.growth;
  std::vector<const Snapshot*> snaps;
  for (const DiffDump& dd : d.dumps) snaps.push_back(dd.snapshot);
  d.mode = options.mode ? *options.mode : choose_signature_mode(snaps);
  d.restart_before = detect_restarts(snaps);
  if (d.dumps.empty()) return d;
  DiffBuilder b(d);
  b.add_groups();
  b.join_cross_form_rows();
  b.finish_rows();
  b.add_states();
  d.row_of.resize(d.dumps.size());
  for (size_t di = 0; di < d.dumps.size(); ++di)
    d.row_of[di].assign(d.dumps[di].snapshot->groups.size(), 0);
  for (uint32_t r = 0; r < d.rows.size(); ++r)
    for (size_t di = 0; di < d.dumps.size(); ++di)
      for (uint32_t gi : d.rows[r].groups[di]) d.row_of[di][gi] = r;
  return d;
}

}  // namespace gorleak
