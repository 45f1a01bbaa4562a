// Rules in compiled form. Every function, file and wait-reason pattern of
// every rule goes into one RE2::Set per kind, so a distinct function name is
// matched once against all rules at the same time; the classifier then only
// tests bits. Adding rules adds patterns to a set, not passes over the dump.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "classify/rule.h"
#include "model/catalog.h"
#include "model/diagnostic.h"

namespace gorleak {

// Which patterns of one kind match a string: one bit per pattern index.
using PatternBits = std::vector<uint64_t>;
inline bool test_bit(const PatternBits& b, int i) {
  return i >= 0 && static_cast<size_t>(i / 64) < b.size() && (b[i / 64] >> (i % 64)) & 1;
}

struct CompiledFrameCondition {
  FrameScope scope = FrameScope::kAny;
  uint32_t depth = 1;
  int func = -1;  // index into the function set, -1: no constraint
  int file = -1;  // index into the file set
  bool negate = false;
};

// Frame conditions plus state categories over one group, as used by a
// unit's companions and by counter-evidence.
struct CompiledGroupCondition {
  std::vector<CompiledFrameCondition> frames;
  uint32_t category_mask = 0;  // 0: any state
};

// A goroutine rule (`match:`) or, in heap_compiled(), a heap rule (`heap:`,
// whose frame conditions are compiled into the same pattern sets).
struct CompiledRule {
  const Rule* rule = nullptr;
  uint32_t category_mask = 0;  // bit per StateCategory, 0: no constraint
  int reason = -1;             // index into the reason set
  std::vector<CompiledFrameCondition> frames;
  // A function pattern that some frame of the stack must match for the rule
  // to apply (its first positive condition on any or the top frames), so
  // that a stack none of whose functions match it need not meet the rule at
  // all; -1 when it has none.
  int needs_func = -1;
  std::unique_ptr<RE2> source;  // the source condition's pattern
  std::vector<CompiledGroupCondition> companions;  // rule->unit.companions, same order
  std::vector<CompiledGroupCondition> counters;    // rule->counter_evidence, same order
};

// One RE2::Set of patterns plus, for the rare DFA-out-of-memory case, the
// same patterns one by one.
class PatternSet {
 public:
  PatternSet();
  int add(const std::string& pattern);  // dedups; returns the index
  bool compile();
  size_t size() const { return patterns_.size(); }
  PatternBits match(std::string_view text) const;

 private:
  std::vector<std::string> patterns_;
  std::vector<std::unique_ptr<RE2>> singles_;
  std::unique_ptr<RE2::Set> set_;
};

class RuleSet {
 public:
  // Compiles `rules` minus the ids in `disabled`. Unknown disabled ids are
  // reported as warnings in `diagnostics`.
  // `roles`: the rule files' function roles (request_handlers: …).
  static std::unique_ptr<RuleSet> build(std::vector<Rule> rules,
                                        const std::vector<std::string>& disabled,
                                        std::vector<Diagnostic>* diagnostics,
                                        const FunctionRoles& roles = {});

  const std::vector<Rule>& rules() const { return rules_; }  // goroutine and heap rules
  // Goroutine rules only: what the classifier evaluates.
  const std::vector<CompiledRule>& compiled() const { return compiled_; }
  // Heap rules only (heap/heap_rules.h).
  const std::vector<CompiledRule>& heap_compiled() const { return heap_compiled_; }
  const Rule* find(std::string_view id) const;

  // Indices into funcs() of the request-handler and client-watcher
  // patterns.
  const std::vector<int>& request_handlers() const { return request_handlers_; }
  const std::vector<int>& client_watchers() const { return client_watchers_; }

  const PatternSet& funcs() const { return funcs_; }
  const PatternSet& files() const { return files_; }
  const PatternSet& reasons() const { return reasons_; }

 private:
  std::vector<Rule> rules_;
  std::vector<CompiledRule> compiled_;
  std::vector<CompiledRule> heap_compiled_;
  std::vector<int> request_handlers_;
  std::vector<int> client_watchers_;
  PatternSet funcs_, files_, reasons_;
};

// Per-run memo of PatternSet matches by interned string: each distinct
// function name, file and wait reason is matched once.
class PatternCache {
 public:
  PatternCache(const RuleSet& rules, const Catalog& catalog);
  // Whether the function name, file path or wait reason `id` matches
  // pattern `i` of its kind.
  bool func(StrId id, int i) { return test(func_, rules_.funcs(), id, i); }
  bool file(StrId id, int i) { return test(file_, rules_.files(), id, i); }
  bool reason(StrId id, int i) { return test(reason_, rules_.reasons(), id, i); }
  // The function-pattern answers of every frame of `frames`, or-ed into
  // `out` (func_words() words): whether any frame's function matches
  // pattern i is then bit i, one test whatever the number of rules.
  size_t func_words() const { return (rules_.funcs().size() + 63) / 64; }
  void or_funcs(const std::vector<Frame>& frames, uint64_t* out);

 private:
  // Rules test every frame of every group: the answers for each string are
  // kept in one flat array, a load and a shift away.
  struct Memo {
    std::vector<int32_t> slot;    // by StrId: first word in `words`, -1 unknown
    std::vector<uint64_t> words;  // each matched string's PatternBits
  };
  bool test(Memo& m, const PatternSet& set, StrId id, int i) {
    if (i < 0 || static_cast<size_t>(i) >= set.size()) return false;
    int32_t first = id < m.slot.size() ? m.slot[id] : -1;
    if (first < 0) first = learn(m, set, id);
    return (m.words[static_cast<size_t>(first) + static_cast<size_t>(i / 64)] >> (i % 64)) & 1;
  }
  // Matches the string `id` against the set once; returns its first word.
  int32_t learn(Memo& m, const PatternSet& set, StrId id);

  const RuleSet& rules_;
  const Catalog& catalog_;
  Memo func_, file_, reason_;
};

}  // namespace gorleak
