#include "parse/pprof_profile.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>

#include "model/strings.h"

namespace gorleak {

std::string_view pprof_kind_description(PprofKind k) {
  switch (k) {
    case PprofKind::kHeap: return "a heap profile (/debug/pprof/heap or /debug/pprof/allocs)";
    case PprofKind::kGoroutine: return "a goroutine profile (/debug/pprof/goroutine)";
    case PprofKind::kGoroutineLeak:
      return "a goroutine leak profile (/debug/pprof/goroutineleak)";
    case PprofKind::kCpu: return "a CPU profile (/debug/pprof/profile)";
    case PprofKind::kContention:
      return "a contention profile (/debug/pprof/mutex or /debug/pprof/block)";
    case PprofKind::kThreadCreate: return "a thread creation profile (/debug/pprof/threadcreate)";
    case PprofKind::kOther: return "a pprof profile of an unknown kind";
  }
  return "a pprof profile";
}

namespace {

// Open addressing over entries kept elsewhere: slot = entry index + 1, 0
// empty; the caller compares candidates (by their stored hash first).
class HashIndex {
 public:
  // The entry equal to what `same(i)` recognises, or make() appended as
  // entry `count` (then count becomes count + 1).
  template <class Same, class Make>
  uint32_t find_or_add(uint64_t hash, uint32_t count, Same same, Make make) {
    if ((static_cast<size_t>(count) + 1) * 2 > slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      if (slots_[i].entry == 0) {
        slots_[i] = Slot{hash, count + 1};
        make();
        return count;
      }
      if (slots_[i].hash == hash && same(slots_[i].entry - 1)) return slots_[i].entry - 1;
    }
  }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  // The hash sits in the slot: a probe past other entries touches no entry.
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = 0;
  };
  void grow() {
    std::vector<Slot> slots(std::max<size_t>(64, slots_.size() * 2));
    size_t mask = slots.size() - 1;
    for (const Slot& s : slots_) {
      if (s.entry == 0) continue;
      size_t i = s.hash & mask;
      while (slots[i].entry != 0) i = (i + 1) & mask;
      slots[i] = s;
    }
    slots_.swap(slots);
  }
  std::vector<Slot> slots_;
};

// Location ids of the distinct stacks, back to back in chunks that never
// move (a growing vector would copy everything each time it doubles).
class IdArena {
 public:
  struct Span {
    uint32_t chunk = 0, offset = 0, size = 0;
  };
  Span add(std::span<const uint64_t> ids) {
    if (chunks_.empty() || used_ + ids.size() > chunks_.back().size()) {
      chunks_.emplace_back(std::max<size_t>(kChunk, ids.size()));
      used_ = 0;
    }
    std::copy(ids.begin(), ids.end(), chunks_.back().begin() + static_cast<ptrdiff_t>(used_));
    Span s{static_cast<uint32_t>(chunks_.size() - 1), static_cast<uint32_t>(used_), static_cast<uint32_t>(ids.size())};
    used_ += ids.size();
    return s;
  }
  uint64_t* data(const Span& s) { return chunks_[s.chunk].data() + s.offset; }
  const uint64_t* data(const Span& s) const { return chunks_[s.chunk].data() + s.offset; }
  size_t memory_bytes() const { return chunks_.size() * kChunk * sizeof(uint64_t); }

 private:
  static constexpr size_t kChunk = size_t{1} << 20;
  std::vector<std::vector<uint64_t>> chunks_;
  size_t used_ = 0;
};

}  // namespace

class PprofProfile::Impl : public PprofVisitor {
 public:
  // ---- PprofVisitor: what the decoder hands over ------------------------

  void sample(const PprofSample& s) override {
    if (!error_.empty()) return;
    if (width_ < 0) width_ = static_cast<int64_t>(s.values.size());
    if (static_cast<int64_t>(s.values.size()) != width_) {
      error_ = fmt::format("sample {} has {} values where the first had {}", stats_samples_,
                           s.values.size(), width_);
      return;
    }
    ++stats_samples_;
    uint32_t stack = add_stack(s.location_ids);
    // Samples are told apart by stack and string labels (goroutine labels);
    // numeric labels (a heap sample's object size) are kept from the first
    // sample of an entry, and dropped when a later one disagrees.
    bool any_string = false;
    uint64_t h = stacks_[stack].hash;
    for (const PprofLabel& l : s.labels) {
      if (l.str == 0) continue;
      any_string = true;
      h = hash_mix(h, static_cast<uint64_t>(l.key));
      h = hash_mix(h, static_cast<uint64_t>(l.str));
    }
    auto make = [&] {
      Entry n;
      n.stack = stack;
      n.label_off = static_cast<uint32_t>(labels_.size());
      n.label_n = static_cast<uint32_t>(s.labels.size());
      labels_.insert(labels_.end(), s.labels.begin(), s.labels.end());
      values_.resize(values_.size() + static_cast<size_t>(width_), 0);
      entries_.push_back(n);
    };
    const uint32_t count = static_cast<uint32_t>(entries_.size());
    uint32_t e;
    if (!any_string) {
      // The common case (heap profiles): one entry per stack, no lookup.
      if (stack >= entry_of_stack_.size()) entry_of_stack_.resize(stacks_.size(), 0);
      if (entry_of_stack_[stack] == 0) {
        make();
        entry_of_stack_[stack] = count + 1;
      }
      e = entry_of_stack_[stack] - 1;
    } else {
      e = entry_index_.find_or_add(
          h, count,
          [&](uint32_t i) { return entries_[i].stack == stack && same_string_labels(entries_[i], s.labels); },
          make);
    }
    if (e != count) fold_numeric_labels(entries_[e], s.labels);
    // data(), not [at]: samples with no values (width 0) have no row at all.
    int64_t* v = values_.data() + static_cast<size_t>(e) * static_cast<size_t>(width_);
    // pprof sums repeated samples; wrap like Go's int64 would, never trap.
    for (size_t i = 0; i < s.values.size(); ++i)
      v[i] = static_cast<int64_t>(static_cast<uint64_t>(v[i]) + static_cast<uint64_t>(s.values[i]));
  }

  void location(const PprofLocation& l) override {
    if (!error_.empty()) return;
    if (!location_index_.emplace(l.id, static_cast<uint32_t>(locations_.size())).second) {
      error_ = fmt::format("location id {} is defined twice", l.id);
      return;
    }
    Loc loc;
    loc.first = static_cast<uint32_t>(lines_.size());
    loc.count = static_cast<uint32_t>(l.lines.size());
    lines_.insert(lines_.end(), l.lines.begin(), l.lines.end());
    locations_.push_back(loc);
  }

  void function(const PprofFunction& f) override {
    if (!error_.empty()) return;
    if (!function_index_.emplace(f.id, static_cast<uint32_t>(functions_.size())).second) {
      error_ = fmt::format("function id {} is defined twice", f.id);
      return;
    }
    functions_.push_back(Fn{f.name, f.filename});
  }

  void mapping(const PprofMapping& m) override {
    if (mappings_++ == 0) main_binary_ = m.filename;
  }

  void string(uint64_t, std::string_view s) override {
    text_.append(s);
    string_end_.push_back(text_.size());
  }

  // ---- after decoding --------------------------------------------------

  bool validate(std::string* error) {
    if (!error_.empty()) {
      *error = error_;
      return false;
    }
    size_t types = header_.sample_types.size();
    if (width_ >= 0 && static_cast<size_t>(width_) != types) {
      *error = fmt::format("samples have {} values but the profile declares {} sample types",
                           width_, types);
      return false;
    }
    if (string_end_.empty() || string_end_[0] != 0) {
      *error = "the string table does not start with the empty string";
      return false;
    }
    auto check_string = [&](int64_t i, std::string_view what) {
      if (i >= 0 && static_cast<size_t>(i) < string_end_.size()) return true;
      *error = fmt::format("{} refers to string {}, past the string table's {} entries", what, i,
                           string_end_.size());
      return false;
    };
    for (const PprofValueType& t : header_.sample_types)
      if (!check_string(t.type, "a sample type") || !check_string(t.unit, "a sample type")) return false;
    if (!check_string(header_.period_type.type, "the period type") ||
        !check_string(header_.period_type.unit, "the period type") ||
        !check_string(header_.default_sample_type, "the default sample type") ||
        !check_string(main_binary_, "a mapping"))
      return false;
    for (const Fn& f : functions_)
      if (!check_string(f.name, "a function name") || !check_string(f.file, "a function's file"))
        return false;
    line_fn_.resize(lines_.size());
    for (size_t k = 0; k < lines_.size(); ++k) {
      auto it = function_index_.find(lines_[k].function_id);
      if (it == function_index_.end()) {
        *error = fmt::format("a location refers to function {}, which the profile does not define",
                             lines_[k].function_id);
        return false;
      }
      line_fn_[k] = it->second;
    }
    // From here on a stack holds indices into locations_, not ids.
    for (const StackRef& s : stacks_) {
      uint64_t* ids = arena_.data(s.span);
      for (uint32_t k = 0; k < s.span.size; ++k) {
        auto it = location_index_.find(ids[k]);
        if (it == location_index_.end()) {
          *error = fmt::format("a sample refers to location {}, which the profile does not define", ids[k]);
          return false;
        }
        ids[k] = it->second;
      }
    }
    for (const PprofLabel& l : labels_)
      if ((l.key >= 0 && !check_string(l.key, "a label")) || !check_string(l.str, "a label") ||
          !check_string(l.num_unit, "a label"))
        return false;
    return true;
  }

  std::string_view str(int64_t i) const {
    if (i < 0 || static_cast<size_t>(i) >= string_end_.size()) return {};
    size_t begin = i == 0 ? 0 : string_end_[static_cast<size_t>(i) - 1];
    return std::string_view(text_).substr(begin, string_end_[static_cast<size_t>(i)] - begin);
  }

  void frames(uint32_t stack, Catalog& catalog, std::vector<Frame>* out) const {
    out->clear();
    const StackRef& s = stacks_[stack];
    const uint64_t* locs = arena_.data(s.span);
    for (uint32_t k = 0; k < s.span.size; ++k) {
      const Loc& loc = locations_[locs[k]];
      if (loc.count == 0) {
        Frame f;
        f.flags = Frame::kNoSymbol;
        out->push_back(f);
        continue;
      }
      for (uint32_t j = 0; j < loc.count; ++j) {
        const Interned& in = interned(line_fn_[loc.first + j], catalog);
        Frame f;
        f.func = in.func;
        f.file = in.file;
        int64_t line = lines_[loc.first + j].line;
        f.line = line < 0 ? 0 : static_cast<uint32_t>(std::min<int64_t>(line, UINT32_MAX));
        out->push_back(f);
      }
    }
  }

  size_t memory_bytes() const {
    return text_.capacity() + string_end_.capacity() * sizeof(size_t) +
           lines_.capacity() * sizeof(PprofLine) + line_fn_.capacity() * sizeof(uint32_t) +
           locations_.capacity() * sizeof(Loc) + functions_.capacity() * sizeof(Fn) +
           (location_index_.size() + function_index_.size()) * 48 + arena_.memory_bytes() +
           stacks_.capacity() * sizeof(StackRef) + stack_index_.memory_bytes() +
           entries_.capacity() * sizeof(Entry) + entry_index_.memory_bytes() +
           labels_.capacity() * sizeof(PprofLabel) + values_.capacity() * sizeof(int64_t) +
           names_.capacity() * sizeof(Interned);
  }

  PprofHeader header_;
  PprofDecodeStats stats_;
  int64_t main_binary_ = 0;

  // A distinct sample: one stack, one label set, summed values.
  struct Entry {
    uint32_t stack = 0;
    uint32_t label_off = 0, label_n = 0;
  };
  std::vector<Entry> entries_;
  std::vector<PprofLabel> labels_;
  std::vector<int64_t> values_;  // width_ per entry
  int64_t width_ = -1;
  size_t stack_count() const { return stacks_.size(); }

 private:
  struct StackRef {
    uint64_t hash = 0;
    IdArena::Span span;
  };
  struct Loc {
    uint32_t first = 0, count = 0;
  };
  struct Fn {
    int64_t name = 0, file = 0;
  };
  struct Interned {
    StrId func = 0, file = 0;
    bool done = false;
  };

  // The stack's index among the distinct stacks, added on first sight.
  uint32_t add_stack(std::span<const uint64_t> ids) {
    uint64_t h = hash_bytes(std::string_view(reinterpret_cast<const char*>(ids.data()), ids.size_bytes()));
    const uint32_t count = static_cast<uint32_t>(stacks_.size());
    return stack_index_.find_or_add(
        h, count,
        [&](uint32_t i) {
          const StackRef& s = stacks_[i];
          return s.span.size == ids.size() && std::equal(ids.begin(), ids.end(), arena_.data(s.span));
        },
        [&] { stacks_.push_back(StackRef{h, arena_.add(ids)}); });
  }

  // The string labels of an entry and of a sample, in order, are the same.
  bool same_string_labels(const Entry& e, std::span<const PprofLabel> labels) const {
    size_t j = 0;
    for (uint32_t k = 0; k < e.label_n; ++k) {
      const PprofLabel& a = labels_[e.label_off + k];
      if (a.str == 0) continue;
      while (j < labels.size() && labels[j].str == 0) ++j;
      if (j == labels.size() || labels[j].key != a.key || labels[j].str != a.str) return false;
      ++j;
    }
    while (j < labels.size() && labels[j].str == 0) ++j;
    return j == labels.size();
  }

  // A later sample merged into `e`: a numeric label it does not share is
  // dropped from the entry (marked with key -1, which no reader matches).
  void fold_numeric_labels(const Entry& e, std::span<const PprofLabel> labels) {
    for (uint32_t k = 0; k < e.label_n; ++k) {
      PprofLabel& a = labels_[e.label_off + k];
      if (a.str != 0 || a.key < 0) continue;
      bool shared = std::any_of(labels.begin(), labels.end(), [&](const PprofLabel& b) {
        return b.str == 0 && b.key == a.key && b.num == a.num && b.num_unit == a.num_unit;
      });
      if (!shared) a.key = -1;
    }
  }

  const Interned& interned(uint32_t fi, Catalog& catalog) const {
    if (names_.size() < functions_.size()) names_.resize(functions_.size());
    Interned& n = names_[fi];
    if (!n.done) {
      n.func = catalog.strings.intern(str(functions_[fi].name));
      n.file = catalog.strings.intern(str(functions_[fi].file));
      n.done = true;
    }
    return n;
  }

  std::string error_;
  uint64_t stats_samples_ = 0;
  size_t mappings_ = 0;
  std::string text_;                // the string table, back to back
  std::vector<size_t> string_end_;  // end offset of each entry
  std::vector<PprofLine> lines_;
  std::vector<uint32_t> line_fn_;  // per line: index into functions_
  std::vector<Loc> locations_;
  std::vector<Fn> functions_;
  std::unordered_map<uint64_t, uint32_t> location_index_;
  std::unordered_map<uint64_t, uint32_t> function_index_;
  IdArena arena_;
  std::vector<StackRef> stacks_;
  std::vector<uint32_t> entry_of_stack_;  // samples without string labels: entry + 1 per stack
  HashIndex stack_index_;
  HashIndex entry_index_;
  mutable std::vector<Interned> names_;  // per function, once interned
};

PprofProfile::PprofProfile() : impl_(std::make_unique<Impl>()) {}
PprofProfile::~PprofProfile() = default;

bool PprofProfile::read(ByteSource& source, std::string* error) {
  if (!decode_pprof(source, *impl_, &impl_->header_, &impl_->stats_, error)) return false;
  return impl_->validate(error);
}

PprofKind PprofProfile::kind() const {
  bool heap = false;
  for (const PprofValueType& t : impl_->header_.sample_types) {
    std::string_view name = str(t.type);
    if (name == "inuse_space" || name == "alloc_space" || name == "inuse_objects" ||
        name == "alloc_objects")
      heap = true;
  }
  if (heap) return PprofKind::kHeap;
  std::string_view first =
      impl_->header_.sample_types.empty() ? "" : str(impl_->header_.sample_types[0].type);
  std::string_view period = str(impl_->header_.period_type.type);
  if (first == "goroutine") return PprofKind::kGoroutine;
  if (first == "goroutineleak") return PprofKind::kGoroutineLeak;
  if (first == "threadcreate") return PprofKind::kThreadCreate;
  if (period == "cpu" || first == "samples") return PprofKind::kCpu;
  if (first == "contentions" || period == "contentions") return PprofKind::kContention;
  return PprofKind::kOther;
}

const PprofHeader& PprofProfile::header() const { return impl_->header_; }
const PprofDecodeStats& PprofProfile::stats() const { return impl_->stats_; }
std::string_view PprofProfile::str(int64_t index) const { return impl_->str(index); }

std::string PprofProfile::sample_types_text() const {
  std::string out;
  for (const PprofValueType& t : impl_->header_.sample_types)
    out += fmt::format("{}{}/{}", out.empty() ? "" : ", ", str(t.type), str(t.unit));
  return out.empty() ? "no sample types" : out;
}

int PprofProfile::sample_type_index(std::string_view type) const {
  const auto& types = impl_->header_.sample_types;
  for (size_t i = 0; i < types.size(); ++i)
    if (str(types[i].type) == type) return static_cast<int>(i);
  return -1;
}

size_t PprofProfile::sample_count() const { return impl_->entries_.size(); }
size_t PprofProfile::stack_count() const { return impl_->stack_count(); }

PprofProfile::Sample PprofProfile::sample(size_t i) const {
  const Impl::Entry& e = impl_->entries_[i];
  Sample s;
  s.stack = e.stack;
  s.values = {impl_->values_.data() + i * static_cast<size_t>(impl_->width_),
              static_cast<size_t>(impl_->width_)};
  s.labels = {impl_->labels_.data() + e.label_off, e.label_n};
  return s;
}

void PprofProfile::frames(uint32_t stack, Catalog& catalog, std::vector<Frame>* out) const {
  impl_->frames(stack, catalog, out);
}

std::string_view PprofProfile::main_binary() const { return str(impl_->main_binary_); }

size_t PprofProfile::memory_bytes() const { return impl_->memory_bytes(); }

}  // namespace gorleak
