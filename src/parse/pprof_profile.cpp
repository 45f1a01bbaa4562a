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
    uint64_t h = hash_bytes(std::string_view(reinterpret_cast<const char*>(s.location_ids.data()),
                                             s.location_ids.size_bytes()));
    h = hash_mix(h, s.labels.size());
    for (const PprofLabel& l : s.labels) {
      h = hash_mix(h, static_cast<uint64_t>(l.key));
      h = hash_mix(h, static_cast<uint64_t>(l.str));
      h = hash_mix(h, static_cast<uint64_t>(l.num));
      h = hash_mix(h, static_cast<uint64_t>(l.num_unit));
    }
    uint32_t e = find_or_add(h, s);
    int64_t* v = &values_[static_cast<size_t>(e) * static_cast<size_t>(width_)];
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
    loc.address = l.address;
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
    auto bad_string = [&](int64_t i) { return i < 0 || static_cast<size_t>(i) >= string_end_.size(); };
    auto check_string = [&](int64_t i, std::string_view what) {
      if (!bad_string(i)) return true;
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
      uint64_t fid = lines_[k].function_id;
      auto it = function_index_.find(fid);
      if (it == function_index_.end()) {
        *error = fmt::format("a location refers to function {}, which the profile does not define", fid);
        return false;
      }
      line_fn_[k] = it->second;
    }
    for (const Entry& e : entries_) {
      for (uint32_t k = 0; k < e.loc_n; ++k) {
        uint64_t id = loc_ids_[e.loc_off + k];
        auto it = location_index_.find(id);
        if (it == location_index_.end()) {
          *error = fmt::format("a sample refers to location {}, which the profile does not define", id);
          return false;
        }
        loc_ids_[e.loc_off + k] = it->second;  // from here on: index into locations_
      }
      for (uint32_t k = 0; k < e.label_n; ++k) {
        const PprofLabel& l = labels_[e.label_off + k];
        if (!check_string(l.key, "a label") || !check_string(l.str, "a label") ||
            !check_string(l.num_unit, "a label"))
          return false;
      }
    }
    return true;
  }

  std::string_view str(int64_t i) const {
    if (i < 0 || static_cast<size_t>(i) >= string_end_.size()) return {};
    size_t begin = i == 0 ? 0 : string_end_[static_cast<size_t>(i) - 1];
    return std::string_view(text_).substr(begin, string_end_[static_cast<size_t>(i)] - begin);
  }

  void frames(size_t i, Catalog& catalog, std::vector<Frame>* out) const {
    out->clear();
    const Entry& e = entries_[i];
    for (uint32_t k = 0; k < e.loc_n; ++k) {
      const Loc& loc = locations_[loc_ids_[e.loc_off + k]];
      if (loc.count == 0) {
        Frame f;
        f.flags = Frame::kNoSymbol;
        out->push_back(f);
        continue;
      }
      for (uint32_t j = 0; j < loc.count; ++j) {
        uint32_t fi = line_fn_[loc.first + j];
        const Interned& in = interned(fi, catalog);
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
           (location_index_.size() + function_index_.size()) * 48 +
           entries_.capacity() * sizeof(Entry) + loc_ids_.capacity() * sizeof(uint64_t) +
           labels_.capacity() * sizeof(PprofLabel) + values_.capacity() * sizeof(int64_t) +
           slots_.capacity() * sizeof(uint32_t) + names_.capacity() * sizeof(Interned);
  }

  PprofHeader header_;
  PprofDecodeStats stats_;
  int64_t main_binary_ = 0;

  struct Entry {
    uint64_t hash = 0;
    uint32_t loc_off = 0, loc_n = 0;
    uint32_t label_off = 0, label_n = 0;
  };
  std::vector<Entry> entries_;
  // Location ids of each entry's stack while decoding; validate() turns
  // them into indices into locations_.
  std::vector<uint64_t> loc_ids_;
  std::vector<PprofLabel> labels_;
  std::vector<int64_t> values_;
  int64_t width_ = -1;

 private:
  struct Loc {
    uint32_t first = 0, count = 0;
    uint64_t address = 0;
  };
  struct Fn {
    int64_t name = 0, file = 0;
  };
  struct Interned {
    StrId func = 0, file = 0;
    bool done = false;
  };

  uint32_t find_or_add(uint64_t h, const PprofSample& s) {
    if (entries_.size() * 2 >= slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      uint32_t slot = slots_[i];
      if (slot == 0) {
        Entry e;
        e.hash = h;
        e.loc_off = static_cast<uint32_t>(loc_ids_.size());
        e.loc_n = static_cast<uint32_t>(s.location_ids.size());
        e.label_off = static_cast<uint32_t>(labels_.size());
        e.label_n = static_cast<uint32_t>(s.labels.size());
        loc_ids_.insert(loc_ids_.end(), s.location_ids.begin(), s.location_ids.end());
        labels_.insert(labels_.end(), s.labels.begin(), s.labels.end());
        values_.resize(values_.size() + static_cast<size_t>(width_), 0);
        entries_.push_back(e);
        slots_[i] = static_cast<uint32_t>(entries_.size());
        return slots_[i] - 1;
      }
      const Entry& e = entries_[slot - 1];
      if (e.hash == h && same(e, s)) return slot - 1;
    }
  }

  bool same(const Entry& e, const PprofSample& s) const {
    if (e.loc_n != s.location_ids.size() || e.label_n != s.labels.size()) return false;
    if (!std::equal(s.location_ids.begin(), s.location_ids.end(), loc_ids_.begin() + e.loc_off))
      return false;
    for (uint32_t k = 0; k < e.label_n; ++k) {
      const PprofLabel& a = labels_[e.label_off + k];
      const PprofLabel& b = s.labels[k];
      if (a.key != b.key || a.str != b.str || a.num != b.num || a.num_unit != b.num_unit) return false;
    }
    return true;
  }

  void grow() {
    std::vector<uint32_t> slots(std::max<size_t>(64, slots_.size() * 2), 0);
    size_t mask = slots.size() - 1;
    for (size_t e = 0; e < entries_.size(); ++e) {
      size_t i = entries_[e].hash & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = static_cast<uint32_t>(e + 1);
    }
    slots_.swap(slots);
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
  std::vector<uint32_t> slots_;  // open addressing over entries_, entry+1 (0 empty)
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

PprofProfile::Sample PprofProfile::sample(size_t i) const {
  const Impl::Entry& e = impl_->entries_[i];
  Sample s;
  s.values = {impl_->values_.data() + i * static_cast<size_t>(impl_->width_),
              static_cast<size_t>(impl_->width_)};
  s.labels = {impl_->labels_.data() + e.label_off, e.label_n};
  return s;
}

void PprofProfile::frames(size_t i, Catalog& catalog, std::vector<Frame>* out) const {
  impl_->frames(i, catalog, out);
}

std::string_view PprofProfile::main_binary() const { return str(impl_->main_binary_); }

size_t PprofProfile::memory_bytes() const { return impl_->memory_bytes(); }

}  // namespace gorleak
