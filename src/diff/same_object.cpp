#include "diff/same_object.h"

#include <algorithm>

#include <fmt/format.h>

#include "diff/signature.h"
#include "model/func_name.h"
#include "model/strings.h"

namespace gorleak {

bool waits_on_object(StateCategory c) {
  return c == StateCategory::kChanReceive || c == StateCategory::kChanSend ||
         c == StateCategory::kSelect || c == StateCategory::kSemacquire;
}

std::vector<uint64_t> pointer_args(std::string_view args, std::vector<bool>* uncertain) {
  std::vector<uint64_t> out;
  if (uncertain) uncertain->clear();
  int depth = 0;
  size_t start = 0;
  auto token = [&](std::string_view t) {
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    bool question = !t.empty() && t.back() == '?';
    if (question) t.remove_suffix(1);
    if (t.size() < 3 || t.size() > 18 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X')) return;
    uint64_t v = 0;
    for (char ch : t.substr(2)) {
      int d;
      if (ch >= '0' && ch <= '9') d = ch - '0';
      else if (ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
      else if (ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
      else return;
      v = v << 4 | static_cast<uint64_t>(d);
    }
    if (v < 0x10000) return;
    out.push_back(v);
    if (uncertain) uncertain->push_back(question);
  };
  for (size_t i = 0; i <= args.size(); ++i) {
    char ch = i < args.size() ? args[i] : ',';
    if (ch == '{') {
      ++depth;
    } else if (ch == '}') {
      if (depth > 0) --depth;
      start = i + 1;  // the aggregate itself is no candidate
    } else if (ch == ',' && depth == 0) {
      if (start < i) token(args.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

size_t SameObjectCollector::KeyHash::operator()(const Key& k) const {
  return static_cast<size_t>(hash_mix(hash_mix(k.signature, k.func), k.address));
}

SameObjectCollector::SameObjectCollector(const Catalog& catalog, SameObjectOptions options)
    : catalog_(catalog), signatures_(catalog), options_(options) {}

void SameObjectCollector::begin_snapshot(const SnapshotStart&) {
  if (open_) end_snapshot(SnapshotEnd{});
  open_ = true;
  counts_.clear();
  blocked_.clear();
  decremented_ = 0;
}

void SameObjectCollector::goroutine(const Goroutine& g) {
  if (!open_) begin_snapshot(SnapshotStart{});
  if (!waits_on_object(g.category) || g.args.size() != g.frames.size()) return;
  // Candidates: the innermost frames down to the first user frame, where
  // the object a goroutine waits on is passed (lockSlow(m), Wait(wg),
  // consume(ch)). Each address counts once per goroutine, at its innermost frame.
  seen_.clear();
  size_t limit = std::min(g.frames.size(), options_.max_frames);
  for (size_t i = 0; i < limit; ++i) {
    std::string_view func = catalog_.str(g.frames[i].func);
    if (!g.frames[i].inlined()) {
      std::vector<bool> uncertain;
      auto values = pointer_args(g.frame_args(i), &uncertain);
      for (size_t k = 0; k < values.size(); ++k) {
        uint64_t a = values[k];
        bool dup = std::any_of(seen_.begin(), seen_.end(),
                               [a](const Seen& s) { return s.address == a; });
        if (!dup) seen_.push_back(Seen{g.frames[i].func, a, static_cast<uint32_t>(i), uncertain[k]});
      }
    }
    if (!is_stdlib_func(func) && !is_runtime_func(func)) break;  // the user frame
  }
  uint64_t sig = signatures_.signature(g.frames.data(), g.frames.size(), g.created_by);
  blocked_[sig] += g.count;
  for (const Seen& s : seen_) {
    Tally& t = counts_[Key{sig, s.func, s.address}];
    t.count += g.count;
    t.depth = s.depth;
    t.uncertain = s.uncertain;
  }
  if (counts_.size() > 2 * options_.capacity) purge();
}

// Batch Misra–Gries: subtract the capacity-th largest count from every key
// and drop those at zero. A key's stored count is then a lower bound of its
// true count, short by at most decremented_.
void SameObjectCollector::purge() {
  std::vector<uint64_t> values;
  values.reserve(counts_.size());
  for (const auto& kv : counts_) values.push_back(kv.second.count);
  size_t k = std::min(options_.capacity, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + k, values.end(), std::greater<uint64_t>());
  uint64_t t = std::max<uint64_t>(values[k], 1);
  for (auto it = counts_.begin(); it != counts_.end();) {
    if (it->second.count <= t) {
      it = counts_.erase(it);
    } else {
      it->second.count -= t;
      ++it;
    }
  }
  decremented_ += t;
}

void SameObjectCollector::end_snapshot(const SnapshotEnd&) {
  if (!open_) return;
  open_ = false;
  std::vector<SameObjectHint> out;
  for (const auto& [key, tally] : counts_) {
    const uint64_t count = tally.count;
    if (count < options_.min_count) continue;
    SameObjectHint h;
    h.signature = key.signature;
    h.func = std::string(catalog_.str(key.func));
    h.address = fmt::format("{:#x}", key.address);
    h.count = count;
    h.blocked = blocked_[key.signature];
    h.approximate = decremented_ > 0;
    h.uncertain = tally.uncertain;
    h.depth = tally.depth;
    out.push_back(std::move(h));
  }
  // One hint per signature: the largest; among equals a value printed
  // without `?` (known to be the argument) before a possibly stale one,
  // then the innermost frame (lockSlow(m) before the caller's own receiver).
  std::sort(out.begin(), out.end(), [&](const SameObjectHint& a, const SameObjectHint& b) {
    if (a.signature != b.signature) return a.signature < b.signature;
    if (a.count != b.count) return a.count > b.count;
    if (a.uncertain != b.uncertain) return !a.uncertain;
    return a.depth < b.depth;
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const SameObjectHint& a, const SameObjectHint& b) {
                          return a.signature == b.signature;
                        }),
            out.end());
  std::sort(out.begin(), out.end(), [](const SameObjectHint& a, const SameObjectHint& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.signature != b.signature) return a.signature < b.signature;
    if (a.func != b.func) return a.func < b.func;
    return a.address < b.address;
  });
  hints_.push_back(std::move(out));
  counts_.clear();
  blocked_.clear();
}

}  // namespace gorleak
