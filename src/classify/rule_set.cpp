#include "classify/rule_set.h"

#include <algorithm>

#include <fmt/format.h>

namespace gorleak {

namespace {

RE2::Options pattern_options() {
  RE2::Options opt;
  opt.set_log_errors(false);
  // Sets of a few hundred patterns need more than the 8 MiB default DFA
  // budget to stay on the fast path.
  opt.set_max_mem(64 << 20);
  return opt;
}

}  // namespace

PatternSet::PatternSet() = default;

int PatternSet::add(const std::string& pattern) {
  auto it = std::find(patterns_.begin(), patterns_.end(), pattern);
  if (it != patterns_.end()) return static_cast<int>(it - patterns_.begin());
  patterns_.push_back(pattern);
  return static_cast<int>(patterns_.size() - 1);
}

bool PatternSet::compile() {
  RE2::Options opt = pattern_options();
  set_ = std::make_unique<RE2::Set>(opt, RE2::UNANCHORED);
  singles_.clear();
  bool ok = true;
  for (const auto& p : patterns_) {
    std::string err;
    // The loader already validated each pattern; a failure here would shift
    // indices, so keep the sets aligned by stopping.
    if (set_->Add(p, &err) < 0) ok = false;
    singles_.push_back(std::make_unique<RE2>(p, opt));
  }
  if (!ok || patterns_.empty()) {
    set_.reset();
    return ok;
  }
  if (!set_->Compile()) set_.reset();  // fall back to one-by-one matching
  return true;
}

PatternBits PatternSet::match(std::string_view text) const {
  PatternBits bits((patterns_.size() + 63) / 64, 0);
  if (patterns_.empty()) return bits;
  std::vector<int> hits;
  RE2::Set::ErrorInfo info{RE2::Set::kNoError};
  bool via_set = false;
  if (set_) {
    bool any = set_->Match(re2::StringPiece(text.data(), text.size()), &hits, &info);
    via_set = any || info.kind == RE2::Set::kNoError;
  }
  if (!via_set) {
    hits.clear();
    for (size_t i = 0; i < singles_.size(); ++i)
      if (RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *singles_[i]))
        hits.push_back(static_cast<int>(i));
  }
  for (int i : hits) bits[i / 64] |= uint64_t{1} << (i % 64);
  return bits;
}

std::unique_ptr<RuleSet> RuleSet::build(std::vector<Rule> rules,
                                        const std::vector<std::string>& disabled,
                                        std::vector<Diagnostic>* diagnostics,
                                        const FunctionRoles& roles) {
  auto set = std::make_unique<RuleSet>();
  for (const auto& id : disabled) {
    bool known = std::any_of(rules.begin(), rules.end(), [&](const Rule& r) { return r.id == id; });
    if (!known && diagnostics) {
      Diagnostic d;
      d.severity = Severity::kWarning;
      d.file = "--disable";
      d.message = fmt::format("no rule with id '{}' to disable", id);
      diagnostics->push_back(std::move(d));
    }
  }
  for (auto& r : rules)
    if (std::find(disabled.begin(), disabled.end(), r.id) == disabled.end())
      set->rules_.push_back(std::move(r));

  auto compile_frames = [&](const std::vector<FrameCondition>& frames) {
    std::vector<CompiledFrameCondition> out;
    for (const FrameCondition& f : frames) {
      CompiledFrameCondition cf;
      cf.scope = f.scope;
      cf.depth = f.depth;
      cf.negate = f.negate;
      if (!f.func.empty()) cf.func = set->funcs_.add(f.func);
      if (!f.file.empty()) cf.file = set->files_.add(f.file);
      out.push_back(cf);
    }
    return out;
  };
  auto mask_of = [](const std::vector<StateCategory>& cats) {
    uint32_t m = 0;
    for (StateCategory cat : cats) m |= 1u << static_cast<unsigned>(cat);
    return m;
  };
  set->compiled_.reserve(set->rules_.size());
  for (const Rule& r : set->rules_) {
    CompiledRule c;
    c.rule = &r;
    if (r.heap.present) {
      // Heap rules: frame conditions only, in the same pattern sets.
      c.frames = compile_frames(r.heap.frames);
      set->heap_compiled_.push_back(std::move(c));
      continue;
    }
    c.category_mask = mask_of(r.match.state.categories);
    if (!r.match.state.reason.empty()) c.reason = set->reasons_.add(r.match.state.reason);
    c.frames = compile_frames(r.match.frames);
    for (const CompiledFrameCondition& f : c.frames)
      if (!f.negate && f.func >= 0 && (f.scope == FrameScope::kAny || f.scope == FrameScope::kTop)) {
        c.needs_func = f.func;
        break;
      }
    for (const UnitCompanion& u : r.unit.companions)
      c.companions.push_back({compile_frames(u.frames), mask_of(u.categories)});
    for (const CounterEvidence& ce : r.counter_evidence)
      c.counters.push_back({compile_frames(ce.frames), mask_of(ce.categories)});
    if (r.match.source.present) {
      RE2::Options opt = pattern_options();
      c.source = std::make_unique<RE2>(r.match.source.pattern, opt);
    }
    set->compiled_.push_back(std::move(c));
  }
  auto add_role = [&](const std::vector<std::string>& patterns, std::vector<int>* out) {
    for (const std::string& p : patterns) {
      int i = set->funcs_.add(p);
      if (std::find(out->begin(), out->end(), i) == out->end()) out->push_back(i);
    }
  };
  add_role(roles.request_handlers, &set->request_handlers_);
  add_role(roles.client_watchers, &set->client_watchers_);
  set->funcs_.compile();
  set->files_.compile();
  set->reasons_.compile();
  return set;
}

const Rule* RuleSet::find(std::string_view id) const {
  for (const Rule& r : rules_)
    if (r.id == id) return &r;
  return nullptr;
}

PatternCache::PatternCache(const RuleSet& rules, const Catalog& catalog)
    : rules_(rules), catalog_(catalog) {}

void PatternCache::or_funcs(const std::vector<Frame>& frames, uint64_t* out) {
  const size_t n = func_words();
  if (n == 0) return;  // no function patterns: no words to or
  for (const Frame& f : frames) {
    int32_t first = f.func < func_.slot.size() ? func_.slot[f.func] : -1;
    if (first < 0) first = learn(func_, rules_.funcs(), f.func);
    const uint64_t* words = &func_.words[static_cast<size_t>(first)];
    for (size_t k = 0; k < n; ++k) out[k] |= words[k];
  }
}

int32_t PatternCache::learn(Memo& m, const PatternSet& set, StrId id) {
  if (id >= m.slot.size()) m.slot.resize(std::max<size_t>(id + 1, catalog_.strings.size()), -1);
  if (m.slot[id] < 0) {
    m.slot[id] = static_cast<int32_t>(m.words.size());
    PatternBits bits = set.match(catalog_.str(id));
    m.words.insert(m.words.end(), bits.begin(), bits.end());
  }
  return m.slot[id];
}

}  // namespace gorleak
