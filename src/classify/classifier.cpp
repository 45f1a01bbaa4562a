#include "classify/classifier.h"

#include <algorithm>
#include <map>
#include <set>
#include <numeric>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "classify/evidence.h"
#include "classify/leak_site.h"
#include "classify/statement.h"
#include "group/spawn_counter.h"
#include "model/func_name.h"
#include "model/spawn_edges.h"
#include "model/user_code.h"

namespace gorleak {

namespace {

// Minutes in the state at which a finding's confidence goes up one step: a
// goroutine that has sat through several GC cycles blocked is not in flight.
constexpr int64_t kLongWaitMinutes = 5;

// What the rules ask of a stack, whatever group it is in: worked out once
// per stack, and kept for the next snapshot (Classifier).
struct StackFacts {
  LeakSite site;
  int top = -1;  // first non-runtime frame (runtime frames show in some crash dumps)
  bool ignored = false;
  // Who started it: the created-by function's side, or when the dump
  // prints no created-by line (debug=1), the entry function's.
  bool has_creator = false;
  bool creator_is_user = false;
  bool entry_is_user = false;
  // When the user's frame is on top: the channel operation its source line
  // shows (classify/statement.h), for dumps that print no state (debug=1).
  StateCategory source_category = StateCategory::kUnknown;
  std::string_view source_reason;  // "chan send", "select (no cases)"… (static text)
  uint32_t statement = 0;  // 1 + index into Memory::statements ("path:line: `code`"), 0: not read
  // The type of a method (main.(*Client) for main.(*Client).writePump) or
  // the function of a closure (main.serve for main.serve.func2) that owns
  // the goroutine; "" for a plain function or no user frame. A view into
  // the catalog's string. Found while the stack is in cache: finding it
  // later for every group was a cache miss per stack.
  std::string_view owner;
};

// A group as the rules see it. The stack's facts are pointed at, not
// copied: with one stack per group a copy was 96 bytes of fresh memory per
// group, written once and read by a few rules.
struct GroupView {
  const StackFacts* facts = nullptr;  // into Classifier::Memory::facts, sized before the views
  const Group* group = nullptr;
  const Stack* stack = nullptr;
};

// Why a group matched a rule with less than full evidence.
struct MatchNotes {
  bool state_from_frames = false;  // no printed state: matched on frames alone
  bool state_from_source = false;  // no printed state: the source line showed it
  bool created_by_unknown = false;  // debug=1 prints no created-by line

  void merge(const MatchNotes& o) {
    state_from_frames |= o.state_from_frames;
    state_from_source |= o.state_from_source;
    created_by_unknown |= o.created_by_unknown;
  }
};

// A group that meets a rule's match conditions, and how.
struct RuleMatch {
  uint32_t group = 0;
  MatchNotes notes;
};

Confidence step(Confidence c, int delta) {
  int v = static_cast<int>(c) + delta;
  // Adjustments never make a finding "unconfirmed": that word is reserved
  // for a source condition that could not be checked.
  v = std::clamp(v, static_cast<int>(Confidence::kLow), static_cast<int>(Confidence::kHigh));
  return static_cast<Confidence>(v);
}

// A rule's verdict on the conditions that depend only on the stack (its
// site, spawner and frames), per stack and rule.
constexpr uint8_t kVerdictKnown = 1;
constexpr uint8_t kVerdictMatch = 2;
constexpr uint8_t kVerdictCreatedByUnknown = 4;

}  // namespace

// What a Classifier keeps from one snapshot to the next: pattern answers by
// string, facts and rule verdicts by stack. Snapshots of one catalog share
// most of their stacks (the profiles appended in one debug=1 file, a series
// of dumps), so all but the first cost little more than their groups.
struct Classifier::Memory {
  Memory(const Catalog& c, const RuleSet& r, const ClassifyOptions& o)
      : cat(c), rules(r), opt(o), patterns(r, c), sites(o.modules) {
    for (const CompiledRule& cr : rules.compiled()) order.push_back(&cr);
    std::stable_sort(order.begin(), order.end(), [](const CompiledRule* a, const CompiledRule* b) {
      return a->rule->priority > b->rule->priority;
    });
  }

  // Room for the facts of every stack in the catalog, made before a
  // snapshot's views point into `facts`: it never grows while they live.
  void make_room_for_facts() {
    if (facts.size() >= cat.stacks.size()) return;
    facts.resize(cat.stacks.size());
    known.resize(facts.size(), false);
  }

  const StackFacts& facts_of(StackId id, const Stack& stack) {
    if (!known[id]) {
      learn(stack, &facts[id]);
      known[id] = true;
    }
    return facts[id];
  }

  // Whether the stack runs one of the rules' request handlers: asked of
  // the parent of every goroutine a finding covers, many times per stack.
  bool serves_requests(StackId id) { return has_role(id, rules.request_handlers(), &serves); }
  // Whether the stack runs one of the rules' client watchers (net/http's
  // background read while a handler runs): its client is still connected.
  bool watches_client(StackId id) { return has_role(id, rules.client_watchers(), &watches); }

  // Whether some frame's function matches function pattern `pattern`:
  // the answers of all frames are or-ed once per stack, so each further
  // rule that asks costs one bit test.
  bool any_frame_func(StackId id, const Stack& stack, int pattern) {
    const uint64_t* words = any_funcs_of(id, stack);
    return (words[static_cast<size_t>(pattern) / 64] >> (pattern % 64)) & 1;
  }
  // The stack's or-ed function-pattern words (func_words() of them): bit i
  // is set when some frame's function matches pattern i. Valid until the
  // next call.
  const uint64_t* any_funcs_of(StackId id, const Stack& stack) {
    const size_t n = patterns.func_words();
    if (id >= any_funcs_at.size()) any_funcs_at.resize(std::max<size_t>(id + 1, cat.stacks.size()), -1);
    if (any_funcs_at[id] < 0) {
      any_funcs_at[id] = static_cast<int64_t>(any_funcs.size());
      any_funcs.resize(any_funcs.size() + n, 0);
      patterns.or_funcs(stack.frames, any_funcs.data() + any_funcs_at[id]);
    }
    // data(), not [at]: with no function patterns there are no words at all.
    return any_funcs.data() + any_funcs_at[id];
  }

  // The verdicts of a stack, one byte per rule, for snapshots with or
  // without created-by lines (debug=1 has none, which changes some
  // answers); nullptr the first time the stack is asked about. Most stacks
  // of a large dump belong to one group of one snapshot: a row for each
  // was stacks × rules bytes, zeroed and written, never read again. A
  // stack asked about again (another group, another snapshot) gets one.
  uint8_t* verdicts_of(StackId id, bool debug1) {
    std::vector<int64_t>& at = verdict_rows[debug1 ? 1 : 0];
    if (id >= at.size()) at.resize(std::max<size_t>(id + 1, cat.stacks.size()), kNeverAsked);
    if (at[id] == kNeverAsked) {
      at[id] = kAskedOnce;
      return nullptr;
    }
    std::vector<uint8_t>& v = verdicts[debug1 ? 1 : 0];
    if (at[id] == kAskedOnce) {
      at[id] = static_cast<int64_t>(v.size());
      v.resize(v.size() + rules.compiled().size(), 0);
    }
    return &v[static_cast<size_t>(at[id])];
  }

  const Catalog& cat;
  const RuleSet& rules;
  const ClassifyOptions& opt;
  PatternCache patterns;
  LeakSiteFinder sites;
  std::vector<const CompiledRule*> order;  // most urgent first
  std::vector<StackFacts> facts;           // by StackId, where `known`
  std::vector<bool> known;
  static constexpr int64_t kNeverAsked = -2, kAskedOnce = -1;
  std::vector<int64_t> verdict_rows[2];  // by StackId: first byte in verdicts, or the above
  std::vector<uint8_t> verdicts[2];      // rows of one byte per rule
  std::vector<int64_t> any_funcs_at;  // by StackId: first word in any_funcs, -1 unknown
  std::vector<uint64_t> any_funcs;     // any_frame_func()'s or-ed pattern words
  static constexpr uint8_t kUnasked = 2;
  std::vector<uint8_t> serves;   // serves_requests() by StackId: 0, 1 or kUnasked
  std::vector<uint8_t> watches;  // watches_client() by StackId: 0, 1 or kUnasked
  std::vector<std::string> statements;  // StackFacts::statement texts

 private:
  // Whether some frame of the stack matches one of `role`'s function
  // patterns, remembered by StackId in `memo`.
  bool has_role(StackId id, const std::vector<int>& role, std::vector<uint8_t>* memo) {
    std::vector<uint8_t>& m = *memo;
    if (id >= m.size()) m.resize(std::max<size_t>(id + 1, cat.stacks.size()), kUnasked);
    if (m[id] == kUnasked) {
      const auto& frames = cat.stacks.get(id).frames;
      m[id] = std::any_of(role.begin(), role.end(), [&](int h) {
        return std::any_of(frames.begin(), frames.end(),
                           [&](const Frame& f) { return patterns.func(f.func, h); });
      });
    }
    return m[id] == 1;
  }

  void learn(const Stack& stack, StackFacts* f) {
    const UserCode& users = sites.user_code(cat);
    f->site = sites.find(cat, stack, users);
    f->owner = owner_of(stack, f->site, users);
    for (size_t k = 0; k < stack.frames.size(); ++k) {
      if (!is_runtime_func(cat.str(stack.frames[k].func))) {
        f->top = static_cast<int>(k);
        break;
      }
    }
    f->ignored = opt.ignore.ignores(cat, stack);
    for (size_t k = stack.frames.size(); k-- > 0;) {
      const Frame& fr = stack.frames[k];
      std::string_view fn = cat.str(fr.func);
      if (fn.empty() || fn == "runtime.goexit") continue;
      f->entry_is_user = users.is_user(cat, fr.func, fr.file);
      break;
    }
    const CreatedBy& cb = stack.created_by;
    f->has_creator = cb.present();
    // A library function that starts the user's own function runs `go f()`
    // on the user's behalf, once per call: time.AfterFunc's callbacks are
    // created by time.goFunc, context.AfterFunc's by the context package.
    // net/http's handlers are not: their goroutine starts in net/http. With
    // frames elided, the last frame shown is not the goroutine's entry.
    f->creator_is_user =
        f->has_creator && (users.is_user(cat, cb.func, cb.file) ||
                           (f->entry_is_user && stack.elided_count == 0));
    read_statement_of(stack, f);
  }

  // The goroutine's own function (its bottom user frame) ties the
  // goroutines of one connection together: readPump and writePump are both
  // methods of the client, whatever they block in. Its owner is that
  // function's type or, for a closure, its enclosing function.
  std::string_view owner_of(const Stack& stack, const LeakSite& site, const UserCode& users) const {
    if (site.in_stdlib || site.frame_index < 0) return {};
    const auto& frames = stack.frames;
    std::string_view fn = cat.str(site.site.func);
    for (size_t k = frames.size(); k-- > static_cast<size_t>(site.frame_index);) {
      if (users.is_user(cat, frames[k].func, frames[k].file)) {
        fn = cat.str(frames[k].func);
        break;
      }
    }
    size_t slash = fn.rfind('/');
    size_t pkg_dot = fn.find('.', slash == std::string_view::npos ? 0 : slash);
    size_t last = fn.rfind('.');
    if (pkg_dot == std::string_view::npos || last == pkg_dot) return {};
    return fn.substr(0, last);
  }

  // A user frame on top is parked on a channel operation or a select: its
  // source line says which (the only way to know in debug=1 dumps).
  void read_statement_of(const Stack& stack, StackFacts* f) {
    if (!opt.source || !opt.source->enabled() || f->site.in_stdlib || f->top < 0 ||
        f->site.frame_index != f->top)
      return;
    const Frame& fr = stack.frames[f->top];
    std::string_view file = cat.str(fr.file);
    if (!opt.source->declares(file, cat.str(fr.func))) return;
    SourceWindow w;
    if (!opt.source->window(file, fr.line, 0, 60, &w) || w.lines.empty()) return;
    Statement st = read_statement_at(w.lines, 0);
    f->source_category = statement_category(st);
    f->source_reason = statement_reason(st);
    std::string_view code = w.lines[0];
    while (!code.empty() && (code.front() == ' ' || code.front() == '\t')) code.remove_prefix(1);
    statements.push_back(fmt::format("{}:{}: `{}`", w.path, w.first_line, code));
    f->statement = static_cast<uint32_t>(statements.size());
  }
};

namespace {

// The groups of the finding being weighed, for O(1) membership tests in the
// scans over every group of the snapshot (a dump of 50,000 distinct stacks
// can raise thousands of findings).
class GroupMarks {
 public:
  explicit GroupMarks(size_t groups) : stamp_(groups, 0) {}

  void set(const std::vector<uint32_t>& groups) {
    if (++now_ == 0) {
      std::fill(stamp_.begin(), stamp_.end(), 0);
      now_ = 1;
    }
    for (uint32_t g : groups) stamp_[g] = now_;
  }
  void add(uint32_t g) { stamp_[g] = now_; }
  bool has(uint32_t g) const { return stamp_[g] == now_; }

 private:
  std::vector<uint32_t> stamp_;
  uint32_t now_ = 0;
};

// Groups by a key (parent goroutine, creator, owner), built once per
// snapshot: (key, group) pairs in one sorted vector rather than a vector
// per key, which on 50,000 distinct stacks meant as many allocations.
template <class Key>
class GroupIndex {
 public:
  void add(Key key, uint32_t group) { pairs_.emplace_back(key, group); }
  void seal() {
    std::sort(pairs_.begin(), pairs_.end());
    made_ = true;
  }
  // Whether seal() was called (an index may hold no pairs).
  bool made() const { return made_; }
  // Appends the groups of `key`, in group order.
  void append(const Key& key, std::vector<uint32_t>* out) const {
    auto it = std::lower_bound(pairs_.begin(), pairs_.end(), std::pair<Key, uint32_t>(key, 0));
    for (; it != pairs_.end() && it->first == key; ++it) out->push_back(it->second);
  }

 private:
  std::vector<std::pair<Key, uint32_t>> pairs_;
  bool made_ = false;
};

// Goroutine counts of the groups that meet a condition, over the whole
// snapshot: a finding's own groups are subtracted, not the rest re-summed.
struct CountsBy {
  uint64_t all = 0;
  std::unordered_map<StrId, uint64_t> by_creator;
  std::vector<bool> holds;  // by group
};

class Evaluator {
 public:
  Evaluator(const Snapshot& snap, Classifier::Memory& memory, const GrowthInfo* growth)
      : snap_(snap), mem_(memory), cat_(memory.cat), rules_(memory.rules), opt_(memory.opt),
        growth_(growth), patterns_(memory.patterns), edges_of_(snap),
        in_finding_(snap.groups.size()) {
    views_.reserve(snap.groups.size());  // filled by match_all(), in one pass
    mem_.make_room_for_facts();
    claimed_.assign(snap.groups.size(), false);
  }

  std::vector<Finding> run() {
    match_all();
    std::vector<Finding> out;
    for (const CompiledRule* c : mem_.order) {
      std::vector<Finding> found = evaluate(*c);
      for (Finding& f : found) {
        // A finding explains its groups, whatever its severity: a pool-like
        // verdict must not be overruled by a generic detector further down.
        // Only a guess that could not be checked (source unreadable) leaves
        // them to others.
        if (f.confidence != Confidence::kUnconfirmed)
          for (uint32_t g : f.groups) claimed_[g] = true;
        out.push_back(std::move(f));
      }
    }
    fold_unconfirmed(&out);
    link_consequences(&out);
    // Sort, keeping each consequence pointed at its cause: the cause is
    // found again by its first group, which no other finding holds.
    for (Finding& f : out)
      if (f.cause_finding >= 0) f.cause_finding = static_cast<int32_t>(out[f.cause_finding].groups.front());
    std::sort(out.begin(), out.end(),
              [&](const Finding& a, const Finding& b) { return finding_before(a, b, cat_); });
    for (Finding& f : out) {
      if (f.cause_finding < 0) continue;
      uint32_t g = static_cast<uint32_t>(f.cause_finding);
      f.cause_finding = -1;
      for (size_t k = 0; k < out.size(); ++k)
        if (!out[k].groups.empty() && out[k].groups.front() == g) f.cause_finding = static_cast<int32_t>(k);
    }
    return out;
  }

 private:
  bool frame_matches(const CompiledFrameCondition& c, StrId func, StrId file) {
    if (c.func >= 0 && !patterns_.func(func, c.func)) return false;
    if (c.file >= 0 && !patterns_.file(file, c.file)) return false;
    return true;
  }

  // True when some frame in the condition's scope matches; `unknown` is set
  // when the scope cannot be seen in this dump (created-by in debug=1).
  bool scope_matches(const CompiledFrameCondition& c, const GroupView& v, bool* unknown) {
    const auto& frames = v.stack->frames;
    switch (c.scope) {
      case FrameScope::kAny:
        if (c.func >= 0 && c.file < 0) return mem_.any_frame_func(v.group->stack, *v.stack, c.func);
        for (const Frame& f : frames)
          if (frame_matches(c, f.func, f.file)) return true;
        return false;
      case FrameScope::kTop: {
        if (v.facts->top < 0) return false;
        uint32_t seen = 0;
        for (size_t k = v.facts->top; k < frames.size() && seen < c.depth; ++k) {
          if (is_runtime_func(cat_.str(frames[k].func))) continue;
          ++seen;
          if (frame_matches(c, frames[k].func, frames[k].file)) return true;
        }
        return false;
      }
      case FrameScope::kUser:
        if (!user_site(v)) return false;
        return frame_matches(c, v.facts->site.site.func, v.facts->site.site.file);
      case FrameScope::kCreatedBy:
        if (!v.stack->created_by.present()) {
          // debug=1 records never print the created-by line: no evidence
          // either way, rather than evidence of absence.
          if (is_count_form(snap_.form)) *unknown = true;
          return false;
        }
        return frame_matches(c, v.stack->created_by.func, v.stack->created_by.file);
    }
    return false;
  }

  bool state_matches(const CompiledRule& c, const GroupView& v, MatchNotes* notes) {
    const StateCondition& sc = c.rule->match.state;
    if (!sc.present()) return true;
    const Group& g = *v.group;
    bool has_frames = std::any_of(c.frames.begin(), c.frames.end(),
                                  [](const CompiledFrameCondition& f) { return !f.negate; });
    bool mask_ok = c.category_mask == 0 ||
                   (c.category_mask >> static_cast<unsigned>(g.category)) & 1;
    if (g.category != StateCategory::kUnknown && !g.state_inferred) {
      if (!mask_ok) return false;
      return c.reason < 0 || patterns_.reason(g.state, c.reason);
    }
    // debug=1: no state printed. A strict state (nil channel, select {})
    // cannot be seen at all; otherwise the frames carry the evidence, and an
    // inferred category, when the parser could guess one, must still agree.
    // The source line of the user's frame on top says which channel
    // operation it is: as good as a printed state, `select {}` included
    // (a nil channel cannot be seen in the source).
    if (StateCategory seen = v.facts->source_category; seen != StateCategory::kUnknown) {
      if (!((c.category_mask == 0 || (c.category_mask >> static_cast<unsigned>(seen)) & 1)))
        return false;
      if (c.reason >= 0 && !test_bit(rules_.reasons().match(v.facts->source_reason), c.reason))
        return false;
      notes->state_from_source = true;
      return true;
    }
    if (sc.strict) return false;
    // A user frame on top of a debug=1 stack means the goroutine is parked
    // in the runtime itself, and the only such waits are channel operations
    // and select (sync, sleep, IO and syscalls leave stdlib frames on top).
    // So a condition accepting all three of those is met by that alone.
    constexpr uint32_t kChanOps = (1u << static_cast<unsigned>(StateCategory::kChanSend)) |
                                  (1u << static_cast<unsigned>(StateCategory::kChanReceive)) |
                                  (1u << static_cast<unsigned>(StateCategory::kSelect));
    bool chan_by_frames = c.rule->match.site == SiteKind::kTop && sc.reason.empty() &&
                          (c.category_mask & kChanOps) == kChanOps;
    if (!has_frames && !chan_by_frames) return false;
    if (g.category != StateCategory::kUnknown && c.category_mask != 0 && !mask_ok) return false;
    notes->state_from_frames = true;
    return true;
  }

  // `verdicts`: the stack's row (Memory::verdicts_of), or nullptr.
  bool group_matches(const CompiledRule& c, const GroupView& v, uint8_t* verdicts, MatchNotes* notes) {
    const MatchSpec& m = c.rule->match;
    const Group& g = *v.group;
    // Cheapest test first: a printed state outside the rule's categories.
    if (c.category_mask != 0 && g.category != StateCategory::kUnknown && !g.state_inferred &&
        !((c.category_mask >> static_cast<unsigned>(g.category)) & 1))
      return false;
    // `leaked: true`: proven leaked, by the runtime's mark or because the
    // dump is a report that lists only stuck goroutines (goleak, synctest,
    // the runtime's deadlock report).
    if (m.leaked && g.leaked == 0 && !in_report(g)) return false;
    if (m.min_wait_minutes >= 0 && g.max_wait < m.min_wait_minutes) return false;
    uint8_t verdict = verdicts ? verdicts[rule_index(c)] : 0;
    if (!(verdict & kVerdictKnown)) {
      bool unknown = false;
      verdict = kVerdictKnown | (stack_matches(c, v, &unknown) ? kVerdictMatch : 0) |
                (unknown ? kVerdictCreatedByUnknown : 0);
      if (verdicts) verdicts[rule_index(c)] = verdict;
    }
    if (!(verdict & kVerdictMatch)) return false;
    if (!state_matches(c, v, notes)) return false;
    notes->created_by_unknown = verdict & kVerdictCreatedByUnknown;
    return true;
  }

  // The rule's conditions on the stack alone: the same for every group of
  // the stack, in every snapshot of the same form. `created_by_unknown` is
  // set when the dump cannot show what a condition asks about.
  bool stack_matches(const CompiledRule& c, const GroupView& v, bool* created_by_unknown) {
    const MatchSpec& m = c.rule->match;
    switch (m.site) {
      case SiteKind::kAny: break;
      case SiteKind::kUser:
        if (v.facts->site.in_stdlib) return false;
        break;
      case SiteKind::kStdlib:
        if (!v.facts->site.in_stdlib) return false;
        break;
      case SiteKind::kTop:
        if (v.facts->site.in_stdlib || v.facts->site.frame_index != v.facts->top) return false;
        break;
    }
    if (m.spawner != SpawnerKind::kAny) {
      bool want_user = m.spawner == SpawnerKind::kUser;
      if (!v.facts->has_creator) {
        if (!is_count_form(snap_.form)) return false;
        // debug=1 prints no created-by line. The entry function stands in:
        // `go f()` in user code starts a user function, while net/http,
        // database/sql & co. start their own.
        *created_by_unknown = true;
        if (v.facts->entry_is_user != want_user) return false;
      } else if (v.facts->creator_is_user != want_user) {
        return false;
      }
    }
    for (const CompiledFrameCondition& f : c.frames) {
      bool unknown = false;
      bool hit = scope_matches(f, v, &unknown);
      if (unknown) {
        // Only a positive created-by condition loses evidence; a negated one
        // cannot exclude what it cannot see.
        if (!f.negate) *created_by_unknown = true;
        continue;
      }
      if (hit == f.negate) return false;
    }
    return true;
  }

  uint64_t previous(uint32_t g) const {
    return growth_ && g < growth_->previous.size() ? growth_->previous[g] : 0;
  }

  // Proven goroutines need no count threshold: a report of leaks, or the
  // runtime's (leaked) mark on every goroutine of the group.
  bool proven(const Group& g) const { return in_report(g) || (g.leaked > 0 && g.leaked == g.count); }

  // Whether the snapshot's leak report covers the group. A report lists
  // goroutines that are stuck; one running or runnable is not (synctest's
  // report is printed by the test goroutine that panics, outside the
  // bubble).
  bool in_report(const Group& g) const {
    return snap_.leak_report != LeakReport::kNone && g.category != StateCategory::kRunning &&
           g.category != StateCategory::kRunnable;
  }

  bool frames_hold(const std::vector<CompiledFrameCondition>& frames, const GroupView& v) {
    for (const CompiledFrameCondition& f : frames) {
      bool unknown = false;
      bool hit = scope_matches(f, v, &unknown);
      if (unknown) {
        if (!f.negate) return false;
        continue;
      }
      if (hit == f.negate) return false;
    }
    return true;
  }

  // Companion and counter-evidence conditions. A dump that prints no state
  // (debug=1) cannot contradict the categories: the frames decide there.
  bool group_condition_holds(const CompiledGroupCondition& c, const GroupView& v) {
    StateCategory cat = v.group->category;
    if (c.category_mask != 0 && cat != StateCategory::kUnknown &&
        !((c.category_mask >> static_cast<unsigned>(cat)) & 1))
      return false;
    return frames_hold(c.frames, v);
  }

  bool stack_has_func(const Stack& stack, StrId func) const {
    for (const Frame& f : stack.frames)
      if (f.func == func) return true;
    return false;
  }

  std::string_view owner_at(uint32_t g) const { return views_[g].facts->owner; }

  // A created-by function is the user's by its name and, when the dump
  // prints it, its file (created-by lines carry one).
  bool sites_user(StrId func, StrId file) const { return mem_.sites.is_user_frame(cat_, func, file); }

  static bool collects(StateCategory c) {
    return c == StateCategory::kChanReceive || c == StateCategory::kSelect ||
           c == StateCategory::kSemacquire;
  }

  // Who started the goroutines of `groups`, from the spawn edges.
  SpawnFacts spawn_facts(const std::vector<uint32_t>& groups) {
    SpawnFacts sf;
    std::vector<uint64_t> parents;
    StrId creator = 0, creator_file = 0;
    bool approximate = false;
    for (uint32_t g : groups) {
      std::span<const SpawnEdge> edges = edges_of_.of(g);
      if (edges.size() >= SpawnCounter::kSlots) approximate = true;
      for (const SpawnEdge& edge : edges) {
        creator = edge.func;
        creator_file = edge.file;
        if (!edge.has_parent) continue;
        sf.parents_known = true;
        parents.push_back(edge.parent_id);
        sf.largest_share = std::max(sf.largest_share, edge.count);
      }
    }
    std::sort(parents.begin(), parents.end());
    parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
    sf.distinct_parents = parents.size();

    // One burst of creation: the ids of all of them span about their count.
    // A snapshot read back from a history keeps its sample ids but not the
    // id range (lowest_id 0): ids known, no burst.
    uint64_t lowest = UINT64_MAX, highest = 0, goroutines = 0;
    sf.ids_known = !groups.empty();
    for (uint32_t g : groups) {
      const Group& grp = snap_.groups[g];
      if (grp.sample_ids.empty()) sf.ids_known = false;
      lowest = std::min(lowest, grp.lowest_id);  // 0: a group without its id range
      highest = std::max(highest, grp.highest_id);
      goroutines += grp.count;
    }
    sf.one_burst = ids_form_one_burst(lowest, highest, goroutines);
    if (sf.one_burst && parents.size() == 1) {
      if (const Group* pg = alive_parent(parents[0]))
        sf.burst_parent_lives = !mem_.serves_requests(pg->stack);
    }

    // Whether the function that started them still waits for them only
    // means something for the program's own `go f()`: the standard
    // library's spawners (an accept loop starting connections) never wait.
    if (creator == 0 || !sites_user(creator, creator_file)) return sf;
    if (sf.parents_known) {
      // Senders whose waiting parents are all on a WaitGroup may be
      // deadlocked (creator_deadlocked); only then is a parent's WaitGroup
      // wait looked for.
      const bool sending = all_sending(groups);
      size_t waiting = 0, checked = 0, on_group = 0;
      for (uint64_t id : parents) {
        ++checked;
        const Group* pg = alive_parent(id);
        if (pg == nullptr) continue;  // parent gone
        ++sf.alive_parents;
        if (mem_.serves_requests(pg->stack)) ++sf.handler_parents;
        // Still inside the function that started them, and blocked where a
        // collector waits (a channel, a select, a WaitGroup), not in a
        // long-lived loop that accepts or reads the next piece of work.
        if (collects(pg->category) && stack_has_func(cat_.stacks.get(pg->stack), creator)) {
          ++waiting;
          if (sending && waits_on_group(*pg)) ++on_group;
        }
      }
      sf.creator_waiting = checked > 0 && waiting == checked;
      sf.creator_returned = !approximate && checked > 0 && waiting == 0;
      sf.creator_deadlocked = sf.creator_waiting && on_group == checked &&
                              !sibling_started(parents, groups);
    } else if (snap_.form != Form::kDebug1) {
      // Before Go 1.21 no parent is named: the function that started them
      // is still running when some other goroutine has it on its stack.
      // Of the finding's own groups: those holding it, and of those the
      // ones serving a request.
      uint32_t holding = 0, holding_serving = 0;
      for (uint32_t g : groups)
        if (stack_has_func(*views_[g].stack, creator)) {
          ++holding;
          holding_serving += mem_.serves_requests(snap_.groups[g].stack);
        }
      const FuncGroups all = groups_with_func(creator);
      sf.creator_returned = all.groups == holding;
      // A burst then counts as one start-up unless another goroutine serving
      // a request is running the function that started it (a fan-out in
      // flight).
      sf.burst_outside_requests = sf.one_burst && all.serving == holding_serving;
      if (all.groups > holding && all_sending(groups))
        sf.creator_deadlocked = creators_deadlocked_unnamed(creator, groups);
    }
    return sf;
  }

  bool all_serve_requests(const std::vector<uint32_t>& groups) {
    for (uint32_t g : groups)
      if (!mem_.serves_requests(snap_.groups[g].stack)) return false;
    return !groups.empty();
  }

  bool all_sending(const std::vector<uint32_t>& groups) const {
    for (uint32_t g : groups)
      if (snap_.groups[g].category != StateCategory::kChanSend) return false;
    return !groups.empty();
  }

  // Whether goroutines parked on a WaitGroup have at least as many live
  // goroutines started by functions of their own code on their stacks: a
  // coordinator waiting for its workers. By `created by` function, not by
  // parent id, so it holds before Go 1.21 and past the parent tables'
  // eight slots per site.
  bool parents_of_live(const std::vector<uint32_t>& groups) {
    uint64_t goroutines = 0;
    std::vector<StrId> funcs;
    for (uint32_t g : groups) {
      if (snap_.groups[g].category != StateCategory::kSemacquire) return false;
      goroutines += snap_.groups[g].count;
      for (const Frame& f : views_[g].stack->frames)
        if (sites_user(f.func, f.file)) funcs.push_back(f.func);
    }
    if (funcs.empty()) return false;
    std::sort(funcs.begin(), funcs.end());
    funcs.erase(std::unique(funcs.begin(), funcs.end()), funcs.end());
    uint64_t children = 0;
    for (StrId f : funcs) children += started_by(f);
    // Not counting the finding's own goroutines (a recursive start).
    for (uint32_t g : groups)
      if (std::binary_search(funcs.begin(), funcs.end(), views_[g].stack->created_by.func))
        children -= snap_.groups[g].count;
    return children >= goroutines;
  }

  // Goroutines by the function that started them (`created by`), counted
  // once per snapshot, on first use.
  uint64_t started_by(StrId func) {
    if (!started_by_known_) {
      started_by_known_ = true;
      for (uint32_t g = 0; g < views_.size(); ++g) {
        StrId creator = views_[g].stack->created_by.func;
        if (creator != 0) started_by_[creator] += snap_.groups[g].count;
      }
    }
    auto it = started_by_.find(func);
    return it == started_by_.end() ? 0 : it->second;
  }

  // Goroutines watching a connected client (Memory::watches_client),
  // counted once per snapshot, on first use. Counted, not linked to their
  // handlers: parent ids are kept for a few parents per site only, and
  // dumps before Go 1.21 (and debug=1) print none.
  uint64_t client_watchers() {
    if (!client_watchers_known_) {
      client_watchers_known_ = true;
      for (uint32_t g = 0; g < views_.size(); ++g)
        if (mem_.watches_client(snap_.groups[g].stack)) client_watchers_ += snap_.groups[g].count;
    }
    return client_watchers_;
  }

  // Parked in sync.(*WaitGroup).Wait: such a goroutine receives nothing.
  bool waits_on_group(const Group& g) const {
    if (g.category != StateCategory::kSemacquire) return false;
    for (const Frame& f : cat_.stacks.get(g.stack).frames)
      if (cat_.str(f.func) == "sync.(*WaitGroup).Wait") return true;
    return false;
  }

  // Whether one of `parents` (sorted) started a goroutine that is not one
  // of `groups`: it may be the receiver the senders wait for (a collector
  // started beside them, busy or slow, in whatever state).
  bool sibling_started(const std::vector<uint64_t>& parents, const std::vector<uint32_t>& groups) {
    in_finding_.set(groups);
    for (const SpawnEdge& e : snap_.spawns) {
      if (!e.has_parent || !std::binary_search(parents.begin(), parents.end(), e.parent_id)) continue;
      if (!in_finding_.has(e.group)) return true;
    }
    return false;
  }

  // Before Go 1.21, which names no parent: every other goroutine running
  // the function that started the senders is parked in WaitGroup.Wait, and
  // that function started no other goroutine.
  bool creators_deadlocked_unnamed(StrId creator, const std::vector<uint32_t>& groups) {
    in_finding_.set(groups);
    for (uint32_t g = 0; g < views_.size(); ++g) {
      if (in_finding_.has(g)) continue;
      const Stack& stack = *views_[g].stack;
      if (stack_has_func(stack, creator) && !waits_on_group(snap_.groups[g])) return false;
      if (stack.created_by.func == creator) return false;
    }
    return true;
  }

  // The group of goroutine `id` when it is still in the dump and started
  // others (Snapshot::spawners), else nullptr.
  const Group* alive_parent(uint64_t id) const {
    auto it = std::lower_bound(snap_.spawners.begin(), snap_.spawners.end(), id,
                               [](const SpawnerInfo& s, uint64_t v) { return s.id < v; });
    if (it == snap_.spawners.end() || it->id != id) return nullptr;
    return &snap_.groups[it->group];
  }

  // How many groups have `func` on their stack, and how many of those serve
  // a request; counted once per snapshot, on first use.
  struct FuncGroups {
    uint32_t groups = 0;
    uint32_t serving = 0;
  };
  FuncGroups groups_with_func(StrId func) {
    if (!groups_with_func_known_) {
      groups_with_func_known_ = true;
      std::vector<StrId> funcs;
      for (uint32_t g = 0; g < views_.size(); ++g) {
        funcs.clear();
        for (const Frame& f : views_[g].stack->frames) funcs.push_back(f.func);
        std::sort(funcs.begin(), funcs.end());
        funcs.erase(std::unique(funcs.begin(), funcs.end()), funcs.end());
        bool serving = mem_.serves_requests(snap_.groups[g].stack);
        for (StrId f : funcs) {
          FuncGroups& fg = groups_with_func_[f];
          ++fg.groups;
          fg.serving += serving;
        }
      }
    }
    auto it = groups_with_func_.find(func);
    return it == groups_with_func_.end() ? FuncGroups{} : it->second;
  }

  static bool user_site(const GroupView& v) {
    return !v.facts->site.in_stdlib && v.facts->site.frame_index >= 0;
  }

  // Other sites of the user's code (not in this finding) whose goroutines
  // number within 2% of `count`: the sites' totals are summed once per
  // snapshot, then the finding's own site and groups are taken out.
  uint64_t family_sites(const std::vector<uint32_t>& groups, uint64_t count) {
    if (!user_sites_known_) {
      user_sites_known_ = true;
      for (const GroupView& v : views_)
        if (user_site(v)) per_user_site_[v.facts->site.site.func] += v.group->count;
      for (const auto& [site, c] : per_user_site_) user_site_counts_.push_back(c);
      std::sort(user_site_counts_.begin(), user_site_counts_.end());
    }
    auto near = [count](uint64_t c) { return c * 50 >= count * 49 && c * 50 <= count * 51; };
    uint64_t lo = (count * 49 + 49) / 50, hi = count * 51 / 50;
    uint64_t n = std::upper_bound(user_site_counts_.begin(), user_site_counts_.end(), hi) -
                 std::lower_bound(user_site_counts_.begin(), user_site_counts_.end(), lo);
    StrId own = views_[groups.front()].facts->site.site.func;
    std::map<StrId, uint64_t> taken;  // other sites' goroutines in this finding
    for (uint32_t g : groups) {
      const GroupView& v = views_[g];
      StrId func = v.facts->site.site.func;
      if (user_site(v) && func != own) taken[func] += v.group->count;
    }
    if (auto it = per_user_site_.find(own); it != per_user_site_.end() && near(it->second)) --n;
    for (const auto& [site, c] : taken) {
      uint64_t total = per_user_site_[site];
      if (near(total)) --n;
      if (total > c && near(total - c)) ++n;
    }
    return n;
  }

  // The goroutines of every group that meets the rule's k-th
  // counter-evidence condition, by creator.
  const CountsBy& counter_counts(const CompiledRule& c, size_t k) {
    CountsBy& counts = counter_counts_[{&c, k}];
    if (counts.holds.empty() && !views_.empty()) {
      counts.holds.resize(views_.size());
      for (uint32_t g = 0; g < views_.size(); ++g) {
        const GroupView& v = views_[g];
        if (!group_condition_holds(c.counters[k], v)) continue;
        counts.holds[g] = true;
        counts.all += v.group->count;
        counts.by_creator[v.stack->created_by.func] += v.group->count;
      }
    }
    return counts;
  }

  // Goroutines reading the network, by creator and by owner.
  void count_io_readers() {
    if (io_readers_known_) return;
    io_readers_known_ = true;
    for (uint32_t g = 0; g < views_.size(); ++g) {
      const GroupView& v = views_[g];
      if (v.group->category != StateCategory::kIOWait) continue;
      io_readers_by_creator_[v.stack->created_by.func] += v.group->count;
      std::string_view owner = owner_at(g);
      if (!owner.empty()) io_readers_by_owner_[owner] += v.group->count;
    }
  }

  static uint64_t count_at(const std::unordered_map<StrId, uint64_t>& m, StrId key) {
    auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
  }

  // The rule's counter-evidence and the built-in one for pools and
  // connections; "" when none holds.
  std::string counter_evidence(const CompiledRule& c, const std::vector<uint32_t>& groups,
                               uint64_t needed) {
    const Rule& rule = *c.rule;
    StrId creator = views_[groups.front()].stack->created_by.func;
    for (size_t k = 0; k < c.counters.size(); ++k) {
      const CounterEvidence& ce = rule.counter_evidence[k];
      const CountsBy& counts = counter_counts(c, k);
      uint64_t seen = ce.same_creator ? count_at(counts.by_creator, creator) : counts.all;
      for (uint32_t g : groups) {
        const GroupView& v = views_[g];
        if (counts.holds[g] && (!ce.same_creator || v.stack->created_by.func == creator))
          seen -= v.group->count;
      }
      if (seen >= needed) return fmt::format("{} ({} goroutines)", ce.says, seen);
    }
    // Live connections: the same function started as many goroutines that
    // are reading the network right now - each blocked goroutine has a live
    // peer. (A leak of per-connection goroutines needs growth to tell.)
    // Without created-by lines (debug=1), goroutines of one connection
    // object show as methods of one type, or closures of one function: the
    // owner of the user frame stands in for the creator.
    if (rule.lookalike != Lookalike::kConnection && rule.lookalike != Lookalike::kPool) return {};
    std::string_view owner = creator == 0 ? owner_at(groups.front()) : std::string_view();
    if (creator != 0 || !owner.empty()) {
      count_io_readers();
      uint64_t readers = creator != 0 ? count_at(io_readers_by_creator_, creator)
                                      : io_readers_by_owner_[owner];
      for (uint32_t g : groups) {
        const GroupView& v = views_[g];
        if (v.group->category != StateCategory::kIOWait) continue;
        bool paired = creator != 0 ? v.stack->created_by.func == creator : owner_at(g) == owner;
        if (paired) readers -= v.group->count;
      }
      if (readers >= needed)
        return fmt::format("live connections: the same function started {} goroutines that are "
                           "reading the network, one per blocked goroutine or more",
                           readers);
    }
    return {};
  }

  size_t rule_index(const CompiledRule& c) const {
    return static_cast<size_t>(&c - rules_.compiled().data());
  }

  bool applies(const CompiledRule& c) const {
    const GrowthCondition& g = c.rule->match.growth;
    return !(g.present && g.required && !growth_);
  }

  // Every rule's matching groups, in group order, from one pass over the
  // groups that tries each rule on a group while its data is in cache (a
  // pass over all groups per rule cost more than the tests themselves).
  // Whether a group matches depends on the group and the rule alone; which
  // matches are still free is decided later, rule by rule (claimed_).
  // Each group's view is made here too: learning a new stack's facts has
  // just walked its frames, which the rules then read from cache.
  void match_all() {
    const auto& compiled = rules_.compiled();
    matches_.assign(compiled.size(), {});
    // The rules that apply, each listed under the function pattern a frame
    // must match for it (CompiledRule::needs_func), if any. A group meets
    // only the rules of the patterns its stack's functions match, one bit
    // each: rules whose functions are not there cost nothing, however many.
    std::vector<const CompiledRule*> unlisted;
    std::vector<std::vector<const CompiledRule*>> by_func(rules_.funcs().size());
    for (const CompiledRule& c : compiled) {
      if (!applies(c)) continue;
      if (c.needs_func >= 0)
        by_func[static_cast<size_t>(c.needs_func)].push_back(&c);
      else
        unlisted.push_back(&c);
    }
    const size_t words = mem_.patterns.func_words();
    for (uint32_t i = 0; i < snap_.groups.size(); ++i) {
      GroupView& v = views_.emplace_back();
      v.group = &snap_.groups[i];
      v.stack = &cat_.stacks.get(v.group->stack);
      v.facts = &mem_.facts_of(v.group->stack, *v.stack);
      if (v.facts->ignored) continue;
      uint8_t* verdicts = mem_.verdicts_of(v.group->stack, is_count_form(snap_.form));
      auto consider = [&](const CompiledRule& c) {
        const MatchSpec& m = c.rule->match;
        MatchNotes notes;
        if (!group_matches(c, v, verdicts, &notes)) return;
        if (m.count_by == CountBy::kGroup && v.group->count < m.min_count && !proven(*v.group))
          return;
        matches_[rule_index(c)].push_back(RuleMatch{i, notes});
      };
      for (const CompiledRule* c : unlisted) consider(*c);
      if (words == 0) continue;  // no rule names a function
      const uint64_t* present = mem_.any_funcs_of(v.group->stack, *v.stack);
      for (size_t w = 0; w < words; ++w)
        for (uint64_t bits = present[w]; bits != 0; bits &= bits - 1) {
          size_t pattern = w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
          for (const CompiledRule* c : by_func[pattern]) consider(*c);
        }
    }
  }

  std::vector<Finding> evaluate(const CompiledRule& c) {
    const Rule& rule = *c.rule;
    const MatchSpec& m = rule.match;
    if (!applies(c)) return {};
    // Groups that match, bucketed by leak site (func, file, line) so groups
    // that differ only below the site are summed. Buckets come in site order
    // and each holds its groups in match order: sorted by (site, match), not
    // a std::map, whose node and groups vector per bucket and tuple compares
    // at every lookup showed in profiles of 50,000 distinct stacks.
    struct SiteMatch {
      std::tuple<StrId, StrId, uint32_t> site;
      uint32_t match;  // index in matches
      bool operator<(const SiteMatch& o) const {
        return site != o.site ? site < o.site : match < o.match;
      }
    };
    const std::vector<RuleMatch>& matches = matches_[rule_index(c)];
    std::vector<SiteMatch> by_site;
    by_site.reserve(matches.size());
    for (uint32_t k = 0; k < matches.size(); ++k) {
      if (claimed_[matches[k].group]) continue;
      const LeakSite& site = views_[matches[k].group].facts->site;
      by_site.push_back(SiteMatch{{site.site.func, site.site.file, site.site.line}, k});
    }
    std::sort(by_site.begin(), by_site.end());
    std::vector<Finding> out;
    std::vector<uint32_t> groups;  // of one bucket
    for (size_t first = 0, end = 0; first < by_site.size(); first = end) {
      groups.clear();
      MatchNotes notes;  // of all the bucket's groups
      for (end = first; end < by_site.size() && by_site[end].site == by_site[first].site; ++end) {
        const RuleMatch& match = matches[by_site[end].match];
        groups.push_back(match.group);
        notes.merge(match.notes);
      }
      uint64_t count = 0, before = 0;
      bool all_proven = true;
      for (uint32_t g : groups) {
        count += views_[g].group->count;
        before += previous(g);
        all_proven = all_proven && proven(*views_[g].group);
      }
      if (count < m.min_count && !all_proven) continue;
      bool grew = false;
      if (growth_ && m.growth.present) {
        if (count < before || count - before < m.growth.min_delta) continue;
        grew = true;
      }
      Finding f = make_finding(c, groups, notes, count);
      if (grew) {
        f.growth_confirmed = true;
        f.evidence += fmt::format(" Grew from {} to {} since the base dump.", before, count);
        f.confidence = step(f.confidence, +1);
      }
      if (!apply_source(c, groups, &f)) continue;
      weigh(c, groups, before, &f);
      add_companions(c, &f);
      out.push_back(std::move(f));
    }
    return out;
  }

  // Severity by evidence (classify/evidence.h). A source condition that
  // could not be checked keeps its own verdict: it is a guess, not a leak.
  void weigh(const CompiledRule& c, const std::vector<uint32_t>& groups, uint64_t before, Finding* f) {
    const Rule& rule = *c.rule;
    f->rule_severity = rule.severity;
    if (f->confidence == Confidence::kUnconfirmed) {
      f->evidence_level = EvidenceLevel::kSuspect;
      f->evidence_basis = "unconfirmed: the rule needs the source code to tell this shape apart";
      return;
    }
    EvidenceInput in;
    in.rule = &rule;
    in.count = f->count;
    in.report = std::all_of(groups.begin(), groups.end(),
                            [&](uint32_t g) { return in_report(*views_[g].group); })
                    ? snap_.leak_report
                    : LeakReport::kNone;
    in.max_wait = f->max_wait;
    in.go = snap_.go_version;
    for (uint32_t g : groups) in.leaked += views_[g].group->leaked;
    if (growth_) {
      in.series = f->count > before ? SeriesVerdict::kGrew : SeriesVerdict::kFlat;
      in.series_before = before;
    }
    // Counter-evidence and spawning facts only matter where the verdict
    // could still go either way.
    bool decided = in.report != LeakReport::kNone || in.leaked > 0 || in.series != SeriesVerdict::kNone ||
                   rule.lookalike == Lookalike::kNone;
    if (!decided) {
      in.spawn = spawn_facts(groups);
      // Facts that only one look-alike weighs, worked out only for it.
      if (rule.lookalike == Lookalike::kPool) in.spawn.all_serve_requests = all_serve_requests(groups);
      if (rule.lookalike == Lookalike::kInFlight) {
        in.spawn.parents_of_live = parents_of_live(groups);
        in.spawn.clients_waiting = all_serve_requests(groups) && client_watchers() >= f->count;
      }
      in.counter = counter_evidence(c, groups, f->count);
      if (f->count >= kCountEvidence) in.family_sites = family_sites(groups, f->count);
    }
    EvidenceVerdict v = weigh_evidence(in);
    f->severity = v.severity;
    f->evidence_level = v.level;
    f->evidence_basis = std::move(v.basis);
  }

  // Units and companions: the other goroutines each unit holds are folded
  // in from groups no rule has claimed, at most `per_unit` per unit.
  void add_companions(const CompiledRule& c, Finding* f) {
    const UnitSpec& unit = c.rule->unit;
    if (!unit.present()) return;
    f->units = f->count;
    f->unit = unit.name;
    in_finding_.set(f->groups);
    for (size_t k = 0; k < c.companions.size(); ++k) {
      uint64_t room = f->units * unit.companions[k].per_unit, taken = 0;
      for (uint32_t g = 0; g < views_.size() && taken < room; ++g) {
        const GroupView& v = views_[g];
        if (v.facts->ignored || claimed_[g]) continue;
        if (in_finding_.has(g)) continue;
        if (!group_condition_holds(c.companions[k], v)) continue;
        taken += std::min(v.group->count, room - taken);
        f->groups.push_back(g);
        in_finding_.add(g);
        if (f->confidence != Confidence::kUnconfirmed) claimed_[g] = true;
      }
      f->count += taken;
    }
  }

  // Unconfirmed guesses (a source condition that could not be read): those
  // about groups another finding explains are dropped, the rest fold into
  // one line per site, so three shapes that need the source (a ticker, a
  // context, time.After) never show as three findings for one group.
  void fold_unconfirmed(std::vector<Finding>* out) {
    std::vector<Finding> kept;
    kept.reserve(out->size());
    std::vector<Finding> dropped;  // guesses about groups another finding explains
    std::vector<Finding> guesses;  // the rest: folded into one line below
    for (Finding& f : *out) {
      bool guess = f.confidence == Confidence::kUnconfirmed && f.severity == RuleSeverity::kInfo;
      if (!guess) {
        kept.push_back(std::move(f));
        continue;
      }
      // A shape the dump's Go release no longer leaks needs no source.
      const Rule* rule = rules_.find(f.rule);
      if (rule && rule->fixed_in_go_minor != 0 && snap_.go_version.min_minor >= rule->fixed_in_go_minor)
        continue;
      if (std::all_of(f.groups.begin(), f.groups.end(), [&](uint32_t g) { return claimed_[g]; }))
        dropped.push_back(std::move(f));
      else
        guesses.push_back(std::move(f));
    }
    if (guesses.size() == 1) kept.push_back(std::move(guesses.front()));
    if (guesses.size() > 1) kept.push_back(fold_guesses(guesses));
    // The finding that explains a dropped guess's groups says, once, which
    // more specific shapes the source could have shown instead.
    std::map<size_t, std::string> could_be;
    std::vector<int32_t> first_kept;  // by group: the first kept finding that holds it
    if (!dropped.empty()) {
      first_kept.assign(views_.size(), -1);
      for (size_t k = kept.size(); k-- > 0;)
        for (uint32_t g : kept[k].groups) first_kept[g] = static_cast<int32_t>(k);
    }
    for (const Finding& d : dropped) {
      int32_t k = first_kept[d.groups.front()];
      if (k < 0) continue;
      std::string& list = could_be[static_cast<size_t>(k)];
      list += fmt::format("{}{}", list.empty() ? "" : ", ", d.rule);
    }
    for (auto& [k, list] : could_be)
      kept[k].evidence += fmt::format(" Without the source, {} could not be checked here: the same "
                                      "goroutines may be that shape instead. {}",
                                      list, needs_source_hint());
    *out = std::move(kept);
  }

  // One line for every check the source would have settled: which rules,
  // how many goroutines at how many sites, the largest site first.
  Finding fold_guesses(std::vector<Finding>& guesses) {
    std::vector<std::string> rules;
    std::set<std::tuple<StrId, StrId, uint32_t>> sites;
    std::vector<uint32_t> groups;
    // Thousands of guesses over as many groups: membership by mark, not by
    // searching the list.
    std::vector<bool> taken(views_.size(), false);
    uint64_t goroutines = 0;
    size_t largest = 0;
    for (size_t i = 0; i < guesses.size(); ++i) {
      const Finding& g = guesses[i];
      if (std::find(rules.begin(), rules.end(), g.rule) == rules.end()) rules.push_back(g.rule);
      sites.insert({g.site.func, g.site.file, g.site.line});
      for (uint32_t x : g.groups)
        if (!taken[x]) {
          taken[x] = true;
          groups.push_back(x);
          goroutines += views_[x].group->count;
        }
      if (g.count > guesses[largest].count) largest = i;
    }
    std::sort(rules.begin(), rules.end());
    std::string list;
    for (const std::string& r : rules) list += fmt::format("{}{}", list.empty() ? "" : ", ", r);
    Finding f = std::move(guesses[largest]);
    f.rule = "needs-source";
    f.title = rules.size() == 1 ? fmt::format("{} needs the source code to check", list)
                                : fmt::format("{} leak shapes need the source code to tell apart", rules.size());
    f.count = goroutines;
    f.groups = std::move(groups);
    f.evidence = fmt::format("{} ({}) could not check {} goroutines at {} site{}, the largest {}. {}",
                             rules.size() == 1 ? "One rule" : fmt::format("{} rules", rules.size()), list,
                             goroutines, sites.size(), sites.size() == 1 ? "" : "s", site_text(f.site),
                             needs_source_hint());
    f.description.clear();
    f.fix.clear();
    f.evidence_basis = "unconfirmed: these rules need the source code to tell their shapes apart";
    return f;
  }

  std::string needs_source_hint() const {
    return opt_.source && opt_.source->enabled()
               ? "The file was not found under the source roots (see --source-root)."
               : "Run gorleak in a checkout of the program, or pass --source-root DIR.";
  }

  // `waits_for: siblings`: a waiter whose siblings (started by the same
  // parent, or by the same function before Go 1.21) are alive and blocked
  // elsewhere is a consequence of them: point at the finding that explains
  // them, or at their block.
  void link_consequences(std::vector<Finding>* out) {
    // The first two findings that hold each group: a waiter's cause is the
    // first one other than itself.
    struct Waiter {
      size_t finding = 0;
      std::vector<uint64_t> parents;
      std::string_view owner;
    };
    std::vector<Waiter> waiters;
    std::vector<uint64_t> all_parents;  // of all waiters
    for (size_t i = 0; i < out->size(); ++i) {
      const Finding& w = (*out)[i];
      const Rule* rule = rules_.find(w.rule);
      if (!rule || !rule->waits_for_siblings || w.groups.empty()) continue;
      const Stack& ws = *views_[w.groups.front()].stack;
      // Without created-by lines (debug=1), closures of one function are
      // siblings: Search.func1 (the workers) and Search.func2 (the waiter).
      std::string_view owner = ws.created_by.present() ? std::string_view() : owner_at(w.groups.front());
      if (!ws.created_by.present() && owner.empty()) continue;
      Waiter waiter{i, {}, owner};
      for (const SpawnEdge& edge : edges_of_.of(w.groups.front()))
        if (edge.has_parent) waiter.parents.push_back(edge.parent_id);
      all_parents.insert(all_parents.end(), waiter.parents.begin(), waiter.parents.end());
      waiters.push_back(std::move(waiter));
    }
    if (!all_parents.empty()) index_parents(std::move(all_parents));

    std::vector<std::pair<int32_t, int32_t>> holders;
    for (const Waiter& waiter : waiters) {
      const size_t i = waiter.finding;
      Finding& w = (*out)[i];
      const Stack& ws = *views_[w.groups.front()].stack;
      const std::vector<uint64_t>& parents = waiter.parents;
      std::string_view owner = waiter.owner;
      uint64_t siblings = 0;
      uint32_t sibling_group = 0;
      in_finding_.set(w.groups);
      for (uint32_t g : sibling_candidates(parents, ws.created_by, owner)) {
        if (in_finding_.has(g)) continue;
        const GroupView& v = views_[g];
        if (v.group->category == StateCategory::kRunning || v.group->category == StateCategory::kRunnable)
          continue;
        if (siblings == 0 || v.group->count > views_[sibling_group].group->count) sibling_group = g;
        siblings += v.group->count;
      }
      if (siblings == 0) continue;
      if (holders.empty()) {
        holders.assign(views_.size(), {-1, -1});
        for (size_t j = 0; j < out->size(); ++j)
          for (uint32_t g : (*out)[j].groups) {
            auto& [first, second] = holders[g];
            if (first < 0) first = static_cast<int32_t>(j);
            else if (second < 0 && first != static_cast<int32_t>(j)) second = static_cast<int32_t>(j);
          }
      }
      const auto& held = holders[sibling_group];
      int32_t cause = held.first != static_cast<int32_t>(i) ? held.first : held.second;
      const GroupView& sv = views_[sibling_group];
      std::string where = site_text(sv.facts->site.site);
      w.cause_finding = cause;
      w.cause = cause >= 0
                    ? fmt::format("a consequence of {} at {}: the workers it waits for are blocked there",
                                  (*out)[cause].rule, where)
                    : fmt::format("a consequence: the {} goroutines it waits for are alive and blocked in "
                                  "[{}] at {}",
                                  siblings, cat_.str(sv.group->state), where);
      // Even a proven waiter is only the symptom: the fix is where its
      // siblings block.
      if (w.severity > RuleSeverity::kLow) w.severity = RuleSeverity::kLow;
      w.evidence_basis = "consequence: " + w.cause;
    }
  }

  // The groups each of `parents` started, for sibling_candidates(): only
  // those parents', as sorting the spawn edges of every goroutine cost more
  // than the rest of the search.
  void index_parents(std::vector<uint64_t> parents) {
    std::sort(parents.begin(), parents.end());
    parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
    // Most edges name some other parent: a bit per hashed id (16 bits per
    // parent, so about one edge in 16 gets through by chance) turns them
    // away with one load from a table that stays in cache, before the
    // binary search (181k edges against 3k parents on distinct-200k).
    int shift = 64 - 4;
    while ((uint64_t{1} << (64 - shift)) < parents.size() * 16) --shift;
    auto bit_of = [shift](uint64_t id) { return (id * 0x9e3779b97f4a7c15ULL) >> shift; };
    std::vector<uint64_t> maybe(((uint64_t{1} << (64 - shift)) + 63) / 64, 0);
    for (uint64_t p : parents) maybe[bit_of(p) / 64] |= uint64_t{1} << (bit_of(p) % 64);
    auto is_parent = [&](uint64_t id) {
      uint64_t b = bit_of(id);
      return (maybe[b / 64] >> (b % 64) & 1) != 0 &&
             std::binary_search(parents.begin(), parents.end(), id);
    };
    for (uint32_t g = 0; g < views_.size(); ++g) {
      for (const SpawnEdge& edge : edges_of_.of(g)) {
        if (edge.has_parent && is_parent(edge.parent_id)) groups_by_parent_.add(edge.parent_id, g);
      }
    }
    groups_by_parent_.seal();
  }

  // The groups started by one of `parents` (from index_parents()), or
  // without parents by the same created-by function, or without created-by
  // lines by the same owner; in group order. The other two indices are
  // made when first needed: a dump names parents (Go >= 1.21) or not.
  std::vector<uint32_t> sibling_candidates(const std::vector<uint64_t>& parents, const CreatedBy& cb,
                                           std::string_view owner) {
    std::vector<uint32_t> out;
    if (!parents.empty()) {
      for (uint64_t p : parents) groups_by_parent_.append(p, &out);
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
    } else if (cb.present()) {
      if (!groups_by_creator_.made()) {
        for (uint32_t g = 0; g < views_.size(); ++g)
          if (const CreatedBy& c = views_[g].stack->created_by; c.present())
            groups_by_creator_.add(c.func, g);
        groups_by_creator_.seal();
      }
      groups_by_creator_.append(cb.func, &out);
    } else {
      if (!groups_by_owner_.made()) {
        for (uint32_t g = 0; g < views_.size(); ++g)
          if (std::string_view o = owner_at(g); !o.empty()) groups_by_owner_.add(o, g);
        groups_by_owner_.seal();
      }
      groups_by_owner_.append(owner, &out);
    }
    return out;
  }

  // The source condition: confirms (true), refutes (false: no finding), or
  // cannot be checked (true, confidence `unconfirmed`). The evidence names
  // the file and line that were read.
  bool apply_source(const CompiledRule& c, const std::vector<uint32_t>& groups, Finding* f) {
    const SourceCondition& sc = c.rule->match.source;
    if (!sc.present) return true;
    const GroupView& v = views_[largest(groups)];
    int index = -1;
    if (sc.frame == SourceFrame::kSite) index = v.facts->site.frame_index;
    else if (sc.frame == SourceFrame::kTop) index = v.facts->top;
    const Frame* frame = index >= 0 ? &v.stack->frames[index] : nullptr;
    SourceWindow w;
    bool have = frame && readable(*frame) &&
                opt_.source->window(cat_.str(frame->file), frame->line, sc.before, sc.after, &w);
    if (!have && sc.refute_only) {  // weighed on the dump alone
      f->evidence +=
          fmt::format(" The source could rule this shape out and was not read. {}", needs_source_hint());
      return true;
    }
    if (!have) {
      f->confidence = Confidence::kUnconfirmed;
      f->severity = std::min(f->severity, sc.unconfirmed_severity);
      f->evidence += opt_.source && opt_.source->enabled()
                         ? fmt::format(" Source of {} not found under the source roots: unconfirmed.",
                                       frame ? cat_.str(frame->file) : "the frame")
                         : " Needs the source to confirm: run gorleak in a checkout of the program, or "
                           "pass --source-root DIR.";
      return true;
    }
    for (size_t i = 0; i < w.lines.size(); ++i) {
      if (!RE2::PartialMatch(re2::StringPiece(w.lines[i].data(), w.lines[i].size()), *c.source)) continue;
      std::string loop;
      if (sc.in_loop) {
        loop = loop_around(*v.stack, static_cast<size_t>(index));
        if (loop.empty()) return false;
      }
      std::string_view line = w.lines[i];
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      f->evidence += fmt::format(" Source {}:{}: `{}`{}.", w.path, w.first_line + i, line, loop);
      return true;
    }
    return false;
  }

  // Where frame `index` of `stack` runs in a loop, as evidence text: its own
  // line inside a `for` block, or the line of a readable caller below it
  // that calls from inside one (a sleep in a helper that a polling loop
  // calls). "" when no readable frame is in a loop. Frames whose source
  // cannot be read (the standard library's, for a program's checkout) are
  // passed over: net/http's per-connection loop does not make a handler's
  // wait repeat within one goroutine.
  std::string loop_around(const Stack& stack, size_t index) {
    for (size_t k = index; k < stack.frames.size(); ++k) {
      const Frame& fr = stack.frames[k];
      SourceWindow up;
      if (!readable(fr) || !opt_.source->window(cat_.str(fr.file), fr.line, 400, 0, &up) ||
          !inside_loop(up.lines, up.lines.size() - 1))
        continue;
      if (k == index) return ", inside a for loop";
      return fmt::format(", called from a for loop at {}:{}", up.path, fr.line);
    }
    return {};
  }

  // Whether the source of `frame` may be read: a lookup is configured and,
  // for guessed roots, the file found there declares the frame's function.
  bool readable(const Frame& frame) {
    if (!opt_.source || !opt_.source->enabled()) return false;
    return opt_.source->declares(cat_.str(frame.file), cat_.str(frame.func));
  }

  uint32_t largest(const std::vector<uint32_t>& groups) const {
    uint32_t best = groups.front();
    for (uint32_t g : groups)
      if (views_[g].group->count > views_[best].group->count) best = g;
    return best;
  }

  std::string site_text(const SourceSite& s) const {
    if (s.func == 0) return "an unknown function";
    if (s.file == 0) return std::string(cat_.str(s.func));
    return fmt::format("{} ({}:{})", cat_.str(s.func), cat_.str(s.file), s.line);
  }

  Finding make_finding(const CompiledRule& c, const std::vector<uint32_t>& groups,
                       const MatchNotes& notes, uint64_t count) {
    const Rule& rule = *c.rule;
    const GroupView& big = views_[largest(groups)];
    Finding f;
    f.rule = rule.id;
    f.title = rule.title;
    f.severity = rule.severity;
    f.confidence = rule.confidence;
    f.count = count;
    f.state = std::string(cat_.str(big.group->state));
    f.category = big.group->category;
    const LeakSite& site = big.facts->site;
    f.site = site.site;
    f.site_in_stdlib = site.in_stdlib;
    // The library entry the user's frame called, when the goroutine blocks
    // inside a library rather than in the user's own line (leak_site.h):
    // the call the user changes.
    // The library the user called: the third-party frame closest to the
    // user's (push.(*Pusher).Push, http2.(*Transport).RoundTrip under
    // net/http's Client.Do), else the standard-library function it called.
    int entry = -1;
    if (site.frame_index > 0 && !site.in_stdlib) {
      for (int k = site.frame_index - 1; k >= 0 && entry < 0; --k) {
        const Frame& fr = big.stack->frames[static_cast<size_t>(k)];
        if (is_third_party_func(cat_.str(fr.func)) && !mem_.sites.is_user_frame(cat_, fr.func, fr.file))
          entry = k;
      }
      if (entry < 0) entry = site.library_entry_index >= 0 ? site.library_entry_index : site.library_index;
    }
    if (entry >= 0) {
      const Frame& callee = big.stack->frames[static_cast<size_t>(entry)];
      f.library = SourceSite{callee.func, callee.file, callee.line};
    }
    if (big.facts->top >= 0) {
      const Frame& t = big.stack->frames[big.facts->top];
      f.blocking = SourceSite{t.func, t.file, t.line};
    }
    const CreatedBy& cb = big.stack->created_by;
    if (cb.present()) f.created_by = SourceSite{cb.func, cb.file, cb.line};
    f.groups = groups;

    const bool from_frames = notes.state_from_frames, from_source = notes.state_from_source,
               no_created_by = notes.created_by_unknown;
    uint64_t leaked = 0;
    for (uint32_t g : groups) {
      const Group& gr = *views_[g].group;
      leaked += gr.leaked;
      if (gr.max_wait >= 0) {
        f.min_wait = f.min_wait < 0 ? gr.min_wait : std::min(f.min_wait, gr.min_wait);
        f.max_wait = std::max(f.max_wait, gr.max_wait);
      }
    }

    std::string state = f.state.empty() ? std::string(category_name(f.category)) : f.state;
    f.evidence = fmt::format("{} goroutine{} in [{}]{} at {}", count, count == 1 ? "" : "s", state,
                             groups.size() > 1 ? fmt::format(" in {} groups", groups.size()) : "",
                             site_text(f.site));
    if (f.created_by.func != 0) f.evidence += fmt::format(", created by {}", site_text(f.created_by));
    f.evidence += ".";
    if (rule.match.min_count > 1)
      f.evidence += fmt::format(" Rule threshold: {} or more {}.", rule.match.min_count,
                                rule.match.count_by == CountBy::kSite ? "at one site" : "in one group");
    if (f.max_wait >= 0)
      f.evidence += f.min_wait == f.max_wait
                        ? fmt::format(" Blocked for {} minutes.", f.max_wait)
                        : fmt::format(" Blocked for {}-{} minutes.", f.min_wait, f.max_wait);
    if (f.max_wait >= kLongWaitMinutes) f.confidence = step(f.confidence, +1);
    if (from_source && big.facts->statement != 0) {
      f.evidence += fmt::format(" No state in this dump (debug=1): the source line shows it, {}.",
                                mem_.statements[big.facts->statement - 1]);
      f.category = big.facts->source_category;
    }
    if (from_frames) {
      f.evidence += " No state in this dump (debug=1): matched on frames alone.";
      f.confidence = step(f.confidence, -1);
    }
    if (no_created_by) {
      f.evidence +=
          " This dump form prints no created-by line: the goroutines' entry function stood in for it.";
      f.confidence = step(f.confidence, -1);
    }
    // Proof outranks what the form could not show.
    if (leaked > 0) {
      f.evidence += fmt::format(" The runtime's goroutineleak profile proved {} of them leaked.", leaked);
      f.confidence = Confidence::kHigh;
    }

    f.description = rule.description;
    f.fix = rule.fix;
    if (f.site_in_stdlib) {
      // A module path (google.golang.org/grpc) is a library, not Go's own.
      std::string how = fmt::format(
          "No frame of your code is on these stacks: the goroutines run entirely in {}, entered "
          "at {}",
          is_stdlib_func(cat_.str(f.site.func)) ? "the standard library" : "library code",
          site_text(f.site));
      if (f.created_by.func != 0) how += fmt::format(" and started by {}", site_text(f.created_by));
      how += ". ";
      if (!rule.caller_hint.empty()) {
        // Evidence is one paragraph: fold the hint's line breaks.
        std::string hint = rule.caller_hint;
        std::replace(hint.begin(), hint.end(), '\n', ' ');
        how += hint + " ";
      }
      how +=
          "To see the caller, take the dump with GODEBUG=tracebackancestors=5 (each goroutine then "
          "shows the stacks of the goroutines that created it), or look for the goroutine that calls "
          "the created-by function.";
      f.evidence += " " + how;
    }
    return f;
  }

  const Snapshot& snap_;
  Classifier::Memory& mem_;
  const Catalog& cat_;
  const RuleSet& rules_;
  const ClassifyOptions& opt_;
  const GrowthInfo* growth_;
  PatternCache& patterns_;
  std::vector<GroupView> views_;
  std::vector<std::vector<RuleMatch>> matches_;  // by rule index: match_all()
  std::vector<bool> claimed_;
  SpawnEdgeIndex edges_of_;
  GroupMarks in_finding_;
  // Worked out on first use, once per snapshot.
  std::map<std::pair<const CompiledRule*, size_t>, CountsBy> counter_counts_;
  std::unordered_map<StrId, uint64_t> io_readers_by_creator_;
  std::unordered_map<std::string_view, uint64_t> io_readers_by_owner_;
  bool io_readers_known_ = false;
  std::unordered_map<StrId, uint64_t> per_user_site_;
  std::vector<uint64_t> user_site_counts_;  // per_user_site_'s values, sorted
  bool user_sites_known_ = false;
  std::unordered_map<StrId, FuncGroups> groups_with_func_;
  bool groups_with_func_known_ = false;
  std::unordered_map<StrId, uint64_t> started_by_;
  bool started_by_known_ = false;
  uint64_t client_watchers_ = 0;
  bool client_watchers_known_ = false;
  GroupIndex<uint64_t> groups_by_parent_;
  GroupIndex<StrId> groups_by_creator_;
  GroupIndex<std::string_view> groups_by_owner_;
};

}  // namespace

bool finding_before(const Finding& a, const Finding& b, const Catalog& catalog) {
  if (a.severity != b.severity) return a.severity > b.severity;
  if (a.count != b.count) return a.count > b.count;
  if (a.rule != b.rule) return a.rule < b.rule;
  std::string_view sa = catalog.str(a.site.func), sb = catalog.str(b.site.func);
  if (sa != sb) return sa < sb;
  uint32_t ga = a.groups.empty() ? 0 : a.groups.front();
  uint32_t gb = b.groups.empty() ? 0 : b.groups.front();
  return ga < gb;
}

Classifier::Classifier(const Catalog& catalog, const RuleSet& rules,
                       const ClassifyOptions& options)
    : memory_(std::make_unique<Memory>(catalog, rules, options)) {}

Classifier::~Classifier() = default;

std::vector<Finding> Classifier::find_leaks(const Snapshot& snapshot, const GrowthInfo* growth) {
  Evaluator e(snapshot, *memory_, growth);
  return e.run();
}

void Classifier::classify(Snapshot& snapshot, const GrowthInfo* growth) {
  snapshot.findings = find_leaks(snapshot, growth);
}

std::vector<Finding> find_leaks(const Snapshot& snapshot, const Catalog& catalog,
                                const RuleSet& rules, const ClassifyOptions& options,
                                const GrowthInfo* growth) {
  return Classifier(catalog, rules, options).find_leaks(snapshot, growth);
}

void classify(Snapshot& snapshot, const Catalog& catalog, const RuleSet& rules,
              const ClassifyOptions& options, const GrowthInfo* growth) {
  snapshot.findings = find_leaks(snapshot, catalog, rules, options, growth);
}

}  // namespace gorleak
