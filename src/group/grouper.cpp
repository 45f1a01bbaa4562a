#include "group/grouper.h"

#include <algorithm>
#include <numeric>
#include <span>
#include <utility>

#include "group/goroutine_record.h"
#include "group/id_index.h"
#include "group/record_batch.h"
#include "group/repeat_fold.h"
#include "group/spawn_counter.h"

namespace gorleak {

namespace {

// Per-group bookkeeping that does not belong in the public Group: where its
// goroutines were created, and by which parents.
struct SpawnSite {
  bool present = false;
  StrId func = 0;
  StrId file = 0;
  uint32_t line = 0;
  uint64_t without_parent = 0;  // pre-1.21 `created by X` (or g0 parent)
  SpawnCounter parents;
};

uint64_t group_key_hash(StackId stack, StrId state, StateCategory category) {
  uint64_t h = hash_mix(0x9ae16a3b2f90404fULL, stack);
  h = hash_mix(h, state);
  return hash_mix(h, static_cast<uint64_t>(category));
}

}  // namespace

class Grouper::Impl {
 public:
  Impl(Catalog& catalog, GroupOptions options, std::string source_name,
       std::vector<Snapshot>* out)
      : catalog_(catalog),
        options_(options),
        source_(std::move(source_name)),
        out_(out),
        batch_(catalog, options.group_by) {}

  void begin(const SnapshotStart& start) {
    flush();
    if (open_) {
      SnapshotEnd e;
      e.form = snap_.form;
      e.cause = snap_.cause;
      end(e);
    }
    snap_ = Snapshot{};
    snap_.form = start.form;
    snap_.source = source_;
    snap_.first_line = start.line;
    snap_.cause = start.cause;
    snap_.declared_total = start.declared_total;
    sites_.clear();
    slots_.assign(64, 0);
    ids_.clear();
    open_ = true;
  }

  void add(const Goroutine& g) {
    if (batch_.add(g)) flush();
  }

  // Goroutines still in the batch come first: records keep input order.
  void add_record(const GoroutineRecord& g) {
    flush();
    fold(g, group_key_hash(g.stack, g.state, g.category));
  }

  // As in RecordBatch, the group slot, the Group and its SpawnSite of a
  // whole batch are loaded before the first is used.
  void flush() {
    std::span<const GoroutineRecord> records = batch_.take();
    if (records.empty()) return;
    uint64_t keys[RecordBatch::kCapacity];
    for (size_t i = 0; i < records.size(); ++i)
      keys[i] = group_key_hash(records[i].stack, records[i].state, records[i].category);
    if (!slots_.empty()) {  // empty until the first snapshot begins
      for (size_t i = 0; i < records.size(); ++i) prefetch_slot(records[i], keys[i]);
      for (size_t i = 0; i < records.size(); ++i) prefetch_group(keys[i]);
    }
    for (size_t i = 0; i < records.size(); ++i) fold(records[i], keys[i]);
  }

  // `key` is the group_key_hash of the record's group.
  void fold(const GoroutineRecord& g, uint64_t key) {
    if (!open_) begin(SnapshotStart{});  // a parser that forgot to announce
    uint32_t gi = find_or_add(g, key);
    Group& grp = snap_.groups[gi];

    const uint64_t n = g.count;
    grp.count += n;
    if (g.leaked) grp.leaked += n;
    if (g.locked_to_thread) grp.locked_to_thread += n;
    if (g.wait_minutes >= 0) {
      if (grp.min_wait < 0 || g.wait_minutes < grp.min_wait) grp.min_wait = g.wait_minutes;
      if (g.wait_minutes > grp.max_wait) grp.max_wait = g.wait_minutes;
    }
    if (g.has_id) {
      if (grp.sample_ids.size() < Group::kMaxSamples) grp.sample_ids.push_back(g.id);
      if (grp.lowest_id == 0 || g.id < grp.lowest_id) grp.lowest_id = g.id;
      grp.highest_id = std::max(grp.highest_id, g.id);
    }
    if (g.has_id && g.id > snap_.max_goroutine_id) snap_.max_goroutine_id = g.id;
    if (grp.labels.empty() && !g.labels.empty()) grp.labels = g.labels;

    snap_.total += n;
    if (g.leaked) snap_.leaked += n;
    snap_.states[static_cast<size_t>(g.category)] += n;

    if (g.created_by.present()) {
      SpawnSite& site = sites_[gi];
      if (!site.present) {
        site.present = true;
        site.func = g.created_by.func;
        site.file = g.created_by.file;
        site.line = g.created_by.line;
      }
      if (g.created_by.has_parent)
        site.parents.add(g.created_by.parent_id, n);
      else if (g.has_ancestor)
        site.parents.add(g.ancestor_id, n);
      else
        site.without_parent += n;
    }
    if (g.has_id) ids_.insert(g.id, gi);
  }

  void end(const SnapshotEnd& e) {
    flush();
    if (!open_) return;
    open_ = false;
    snap_.form = e.form;  // debug=2 with "(leaked)" marks is a goroutineleak profile
    if (!e.cause.empty()) snap_.cause = e.cause;
    snap_.last_line = e.last_line;
    snap_.skipped_lines = e.skipped_lines;
    snap_.truncated = e.truncated;
    snap_.go_version = e.go_version;
    snap_.leak_report = e.leak_report;
    snap_.diagnostics = e.diagnostics;

    std::vector<uint32_t>& order = sort_scratch_.order;
    std::vector<uint32_t>& new_index = sort_scratch_.new_index;
    sorted_order(&order);
    new_index.resize(order.size());
    for (uint32_t pos = 0; pos < order.size(); ++pos) new_index[order[pos]] = pos;

    // Sorted in place, one cycle of the permutation at a time: this is the
    // snapshot's peak of memory, where a sorted copy took another 144 bytes
    // per group. Only a vector that doubling left more than a third empty
    // is copied to its size, since it is kept through the report.
    std::vector<uint32_t>& dest = sort_scratch_.dest;  // where the group now at i belongs
    dest = new_index;
    for (uint32_t i = 0; i < dest.size(); ++i)
      while (dest[i] != i) {
        uint32_t j = dest[i];
        std::swap(snap_.groups[i], snap_.groups[j]);
        std::swap(dest[i], dest[j]);
      }
    if (snap_.groups.capacity() > snap_.groups.size() + snap_.groups.size() / 2)
      snap_.groups.shrink_to_fit();

    collect_spawners(new_index);
    // The id and group-slot tables are not needed any more: a big snapshot's
    // are freed before the edges take their memory, at its peak (up to 6 MiB
    // of ids, 8 bytes per group of slots).
    ids_.clear();
    if (slots_.size() > 64) slots_ = std::vector<uint32_t>(64, 0);
    collect_spawns(order);
    sort_scratch_.release_if_large();
    // What is left of snap_ (all of it, when it was folded) is reset by the
    // next begin(): resetting here too cost a crash loop a second Snapshot
    // per record.
    if (!repeats_.fold(snap_, *out_)) out_->push_back(std::move(snap_));
  }

 private:
  void prefetch_slot(const GoroutineRecord& g, uint64_t key) const {
    __builtin_prefetch(&slots_[key & (slots_.size() - 1)]);
    if (g.has_id) ids_.prefetch(g.id);
  }

  void prefetch_group(uint64_t key) const {
    uint32_t v = slots_[key & (slots_.size() - 1)];
    if (v == 0 || v > snap_.groups.size()) return;
    __builtin_prefetch(&snap_.groups[v - 1]);
    __builtin_prefetch(&sites_[v - 1]);
  }

  uint32_t find_or_add(const GoroutineRecord& g, uint64_t key) {
    const StackId stack = g.stack;
    const StrId state = g.state;
    if ((snap_.groups.size() + 1) * 2 > slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    size_t s = key & mask;
    for (;; s = (s + 1) & mask) {
      uint32_t v = slots_[s];
      if (v == 0) break;
      const Group& grp = snap_.groups[v - 1];
      if (grp.stack == stack && grp.state == state && grp.category == g.category)
        return v - 1;
    }
    uint32_t gi = static_cast<uint32_t>(snap_.groups.size());
    slots_[s] = gi + 1;
    Group& grp = snap_.groups.emplace_back();
    grp.stack = stack;
    grp.state = state;
    grp.category = g.category;
    grp.state_inferred = g.state_inferred;
    grp.first_line = g.line_no;
    sites_.emplace_back();
    return gi;
  }

  void grow() {
    size_t cap = slots_.size() * 2;
    slots_.assign(cap, 0);
    for (uint32_t i = 0; i < snap_.groups.size(); ++i) {
      const Group& grp = snap_.groups[i];
      size_t s = group_key_hash(grp.stack, grp.state, grp.category) & (cap - 1);
      while (slots_[s] != 0) s = (s + 1) & (cap - 1);
      slots_[s] = i + 1;
    }
  }

  // Largest first; ties broken by category, then by where the group first
  // appears, so the order does not depend on hash or interning order.
  void sorted_order(std::vector<uint32_t>* out) const {
    std::vector<uint32_t>& order = *out;
    order.resize(snap_.groups.size());
    std::iota(order.begin(), order.end(), 0u);
    const auto& gs = snap_.groups;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      const Group& x = gs[a];
      const Group& y = gs[b];
      if (x.count != y.count) return x.count > y.count;
      if (x.category != y.category) return x.category < y.category;
      if (x.first_line != y.first_line) return x.first_line < y.first_line;
      std::string_view sx = catalog_.str(x.state), sy = catalog_.str(y.state);
      if (sx != sy) return sx < sy;
      return a < b;  // same line, state and size: keep input order
    });
  }

  void collect_spawns(const std::vector<uint32_t>& order) {
    // One edge per (site, parent): counted first, since a vector grown by
    // doubling would be up to half empty at the snapshot's peak of memory.
    size_t edges = snap_.spawns.size();
    for (const SpawnSite& site : sites_)
      if (site.present) edges += site.parents.size() + (site.without_parent > 0 ? 1 : 0);
    snap_.spawns.reserve(edges);
    for (uint32_t pos = 0; pos < order.size(); ++pos) {
      const SpawnSite& site = sites_[order[pos]];
      if (!site.present) continue;
      size_t first_edge = snap_.spawns.size();
      auto edge = [&](bool has_parent, uint64_t parent, uint64_t count) {
        SpawnEdge& e = snap_.spawns.emplace_back();
        e.has_parent = has_parent;
        e.parent_id = parent;
        e.func = site.func;
        e.file = site.file;
        e.line = site.line;
        e.group = pos;
        e.count = count;
      };
      for (size_t i = 0; i < site.parents.size(); ++i)
        edge(true, site.parents[i].parent_id, site.parents[i].count);
      if (site.without_parent > 0) edge(false, 0, site.without_parent);
      std::sort(snap_.spawns.begin() + first_edge, snap_.spawns.end(),
                [](const SpawnEdge& a, const SpawnEdge& b) {
                  if (a.has_parent != b.has_parent) return a.has_parent;
                  if (a.count != b.count) return a.count > b.count;
                  return a.parent_id < b.parent_id;
                });
    }
  }

  // The group of each parent that is in the snapshot, by parent id.
  void collect_spawners(const std::vector<uint32_t>& new_index) {
    for (const SpawnSite& site : sites_) {
      if (!site.present) continue;
      for (size_t i = 0; i < site.parents.size(); ++i) {
        uint64_t parent = site.parents[i].parent_id;
        uint32_t old_group;
        if (ids_.find(parent, &old_group))
          snap_.spawners.push_back(SpawnerInfo{parent, new_index[old_group]});
      }
    }
    std::sort(snap_.spawners.begin(), snap_.spawners.end(),
              [](const SpawnerInfo& a, const SpawnerInfo& b) { return a.id < b.id; });
    snap_.spawners.erase(
        std::unique(snap_.spawners.begin(), snap_.spawners.end(),
                    [](const SpawnerInfo& a, const SpawnerInfo& b) { return a.id == b.id; }),
        snap_.spawners.end());
  }

  Catalog& catalog_;
  GroupOptions options_;
  std::string source_;
  std::vector<Snapshot>* out_;
  RepeatFold repeats_;

  bool open_ = false;
  Snapshot snap_;
  std::vector<SpawnSite> sites_;  // parallel to snap_.groups until sorted
  std::vector<uint32_t> slots_;   // open addressing: group index + 1, 0 = empty
  IdIndex ids_;
  RecordBatch batch_;

  // The order of end()'s sort, kept from one snapshot to the next: a crash
  // loop ends a snapshot of one group per record, and would allocate three
  // vectors for each. A big snapshot's are freed, so that they do not stay
  // through the report.
  struct SortScratch {
    std::vector<uint32_t> order;      // group indexes, largest group first
    std::vector<uint32_t> new_index;  // by old index: its position in `order`
    std::vector<uint32_t> dest;       // the permutation still to apply
    void release_if_large() {
      constexpr size_t kKeep = 4096;
      if (order.capacity() > kKeep) *this = SortScratch{};
    }
  };
  SortScratch sort_scratch_;
};

Grouper::Grouper(Catalog& catalog, GroupOptions options, std::string source_name,
                 std::vector<Snapshot>* out)
    : impl_(new Impl(catalog, options, std::move(source_name), out)) {}

Grouper::~Grouper() { delete impl_; }

void Grouper::begin_snapshot(const SnapshotStart& start) { impl_->begin(start); }
void Grouper::goroutine(const Goroutine& g) { impl_->add(g); }
void Grouper::add_record(const GoroutineRecord& r) { impl_->add_record(r); }
void Grouper::end_snapshot(const SnapshotEnd& end) { impl_->end(end); }

}  // namespace gorleak
