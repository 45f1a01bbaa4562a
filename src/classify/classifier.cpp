#include "classify/classifier.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>

#include <fmt/format.h>

#include "classify/leak_site.h"
#include "model/func_name.h"

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
};

struct GroupView : StackFacts {
  const Group* group = nullptr;
  const Stack* stack = nullptr;
};

// Why a group matched a rule with less than full evidence.
struct MatchNotes {
  bool state_from_frames = false;  // no printed state: matched on frames alone
  bool created_by_unknown = false;  // debug=1 prints no created-by line
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

  const StackFacts& facts_of(StackId id, const Stack& stack) {
    if (id >= facts.size()) {
      facts.resize(std::max<size_t>(id + 1, cat.stacks.size()));
      known.resize(facts.size(), false);
    }
    if (!known[id]) {
      learn(stack, &facts[id]);
      known[id] = true;
    }
    return facts[id];
  }

  // The verdict slot of (stack, rule) for a snapshot with or without
  // created-by lines (debug=1 has none, which changes some answers).
  uint8_t& verdict(StackId id, size_t rule, bool debug1) {
    std::vector<uint8_t>& v = verdicts[debug1 ? 1 : 0];
    size_t n = rules.compiled().size();
    size_t at = static_cast<size_t>(id) * n + rule;
    if (at >= v.size()) v.resize(std::max<size_t>(at + 1, cat.stacks.size() * n), 0);
    return v[at];
  }

  const Catalog& cat;
  const RuleSet& rules;
  const ClassifyOptions& opt;
  PatternCache patterns;
  LeakSiteFinder sites;
  std::vector<const CompiledRule*> order;  // most urgent first
  std::vector<StackFacts> facts;           // by StackId, where `known`
  std::vector<bool> known;
  std::vector<uint8_t> verdicts[2];  // by StackId x rule

 private:
  void learn(const Stack& stack, StackFacts* f) {
    f->site = sites.find(cat, stack);
    for (size_t k = 0; k < stack.frames.size(); ++k) {
      if (!is_runtime_func(cat.str(stack.frames[k].func))) {
        f->top = static_cast<int>(k);
        break;
      }
    }
    f->ignored = opt.ignore.ignores(cat, stack);
    const CreatedBy& cb = stack.created_by;
    f->has_creator = cb.present();
    f->creator_is_user = f->has_creator && sites.is_user_func(cat.str(cb.func));
    for (size_t k = stack.frames.size(); k-- > 0;) {
      std::string_view fn = cat.str(stack.frames[k].func);
      if (fn.empty() || fn == "runtime.goexit") continue;
      f->entry_is_user = sites.is_user_func(fn);
      break;
    }
  }
};

namespace {

class Evaluator {
 public:
  Evaluator(const Snapshot& snap, Classifier::Memory& memory, const GrowthInfo* growth)
      : snap_(snap), mem_(memory), cat_(memory.cat), rules_(memory.rules), opt_(memory.opt),
        growth_(growth), patterns_(memory.patterns) {
    views_.resize(snap.groups.size());
    for (size_t i = 0; i < snap.groups.size(); ++i) {
      GroupView& v = views_[i];
      v.group = &snap.groups[i];
      v.stack = &cat_.stacks.get(v.group->stack);
      static_cast<StackFacts&>(v) = mem_.facts_of(v.group->stack, *v.stack);
    }
    claimed_.assign(snap.groups.size(), false);
  }

  std::vector<Finding> run() {
    std::vector<Finding> out;
    for (const CompiledRule* c : mem_.order) {
      std::vector<Finding> found = evaluate(*c);
      for (Finding& f : found) {
        if (f.severity > RuleSeverity::kInfo)
          for (uint32_t g : f.groups) claimed_[g] = true;
        out.push_back(std::move(f));
      }
    }
    // An unconfirmed guess (source not readable) about groups that another
    // rule did report is noise: that rule already explains them.
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&](const Finding& f) {
                               return f.confidence == Confidence::kUnconfirmed &&
                                      f.severity == RuleSeverity::kInfo &&
                                      std::all_of(f.groups.begin(), f.groups.end(),
                                                  [&](uint32_t g) { return claimed_[g]; });
                             }),
              out.end());
    std::sort(out.begin(), out.end(),
              [&](const Finding& a, const Finding& b) { return finding_before(a, b, cat_); });
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
        for (const Frame& f : frames)
          if (frame_matches(c, f.func, f.file)) return true;
        return false;
      case FrameScope::kTop: {
        if (v.top < 0) return false;
        uint32_t seen = 0;
        for (size_t k = v.top; k < frames.size() && seen < c.depth; ++k) {
          if (is_runtime_func(cat_.str(frames[k].func))) continue;
          ++seen;
          if (frame_matches(c, frames[k].func, frames[k].file)) return true;
        }
        return false;
      }
      case FrameScope::kUser:
        if (v.site.in_stdlib || v.site.frame_index < 0) return false;
        return frame_matches(c, v.site.site.func, v.site.site.file);
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

  bool group_matches(const CompiledRule& c, const GroupView& v, MatchNotes* notes) {
    const MatchSpec& m = c.rule->match;
    const Group& g = *v.group;
    // Cheapest test first: a printed state outside the rule's categories.
    if (c.category_mask != 0 && g.category != StateCategory::kUnknown && !g.state_inferred &&
        !((c.category_mask >> static_cast<unsigned>(g.category)) & 1))
      return false;
    if (m.leaked && g.leaked == 0) return false;
    if (m.min_wait_minutes >= 0 && g.max_wait < m.min_wait_minutes) return false;
    uint8_t& verdict = mem_.verdict(g.stack, static_cast<size_t>(&c - rules_.compiled().data()),
                                    is_count_form(snap_.form));
    if (!(verdict & kVerdictKnown)) {
      bool unknown = false;
      verdict = kVerdictKnown | (stack_matches(c, v, &unknown) ? kVerdictMatch : 0) |
                (unknown ? kVerdictCreatedByUnknown : 0);
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
        if (v.site.in_stdlib) return false;
        break;
      case SiteKind::kStdlib:
        if (!v.site.in_stdlib) return false;
        break;
      case SiteKind::kTop:
        if (v.site.in_stdlib || v.site.frame_index != v.top) return false;
        break;
    }
    if (m.spawner != SpawnerKind::kAny) {
      bool want_user = m.spawner == SpawnerKind::kUser;
      if (!v.has_creator) {
        if (!is_count_form(snap_.form)) return false;
        // debug=1 prints no created-by line. The entry function stands in:
        // `go f()` in user code starts a user function, while net/http,
        // database/sql & co. start their own.
        *created_by_unknown = true;
        if (v.entry_is_user != want_user) return false;
      } else if (v.creator_is_user != want_user) {
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

  std::vector<Finding> evaluate(const CompiledRule& c) {
    const Rule& rule = *c.rule;
    const MatchSpec& m = rule.match;
    if (m.growth.present && m.growth.required && !growth_) return {};
    // Groups that match, bucketed by leak site (func, file, line) so groups
    // that differ only below the site are summed. std::map: stable order.
    std::map<std::tuple<StrId, StrId, uint32_t>, std::vector<uint32_t>> buckets;
    std::vector<MatchNotes> notes(views_.size());
    for (uint32_t i = 0; i < views_.size(); ++i) {
      const GroupView& v = views_[i];
      if (v.ignored || claimed_[i]) continue;
      if (!group_matches(c, v, &notes[i])) continue;
      if (m.count_by == CountBy::kGroup && v.group->count < m.min_count) continue;
      buckets[{v.site.site.func, v.site.site.file, v.site.site.line}].push_back(i);
    }
    std::vector<Finding> out;
    for (auto& [key, groups] : buckets) {
      uint64_t count = 0, before = 0;
      for (uint32_t g : groups) {
        count += views_[g].group->count;
        before += previous(g);
      }
      if (count < m.min_count) continue;
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
      out.push_back(std::move(f));
    }
    return out;
  }

  // The source condition: confirms (true), refutes (false: no finding), or
  // cannot be checked (true, confidence `unconfirmed`).
  bool apply_source(const CompiledRule& c, const std::vector<uint32_t>& groups, Finding* f) {
    const SourceCondition& sc = c.rule->match.source;
    if (!sc.present) return true;
    const GroupView& v = views_[largest(groups)];
    const Frame* frame = nullptr;
    if (sc.frame == SourceFrame::kSite && v.site.frame_index >= 0)
      frame = &v.stack->frames[v.site.frame_index];
    else if (sc.frame == SourceFrame::kTop && v.top >= 0)
      frame = &v.stack->frames[v.top];
    SourceWindow w;
    bool have = frame && opt_.source && opt_.source->enabled() &&
                opt_.source->window(cat_.str(frame->file), frame->line, sc.before, sc.after, &w);
    if (!have) {
      f->confidence = Confidence::kUnconfirmed;
      f->severity = std::min(f->severity, sc.unconfirmed_severity);
      f->evidence += opt_.source && opt_.source->enabled()
                         ? fmt::format(" Source not found under --source-root for {}: unconfirmed.",
                                       frame ? cat_.str(frame->file) : "the frame")
                         : " Needs the source to confirm: pass --source-root DIR (a checkout of the "
                           "program) to check the code around the leak site.";
      return true;
    }
    for (size_t i = 0; i < w.lines.size(); ++i) {
      if (RE2::PartialMatch(re2::StringPiece(w.lines[i].data(), w.lines[i].size()), *c.source)) {
        std::string_view line = w.lines[i];
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        f->evidence += fmt::format(" Source {}:{}: `{}`.", w.path, w.first_line + i, line);
        return true;
      }
    }
    return false;
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
                       const std::vector<MatchNotes>& notes, uint64_t count) {
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
    f.site = big.site.site;
    f.site_in_stdlib = big.site.in_stdlib;
    if (big.top >= 0) {
      const Frame& t = big.stack->frames[big.top];
      f.blocking = SourceSite{t.func, t.file, t.line};
    }
    const CreatedBy& cb = big.stack->created_by;
    if (cb.present()) f.created_by = SourceSite{cb.func, cb.file, cb.line};
    f.groups = groups;

    bool from_frames = false, no_created_by = false;
    uint64_t leaked = 0;
    for (uint32_t g : groups) {
      const Group& gr = *views_[g].group;
      from_frames |= notes[g].state_from_frames;
      no_created_by |= notes[g].created_by_unknown;
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
    if (leaked > 0) {
      f.evidence += fmt::format(" The runtime's goroutineleak profile proved {} of them leaked.", leaked);
      f.confidence = Confidence::kHigh;
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

    f.description = rule.description;
    f.fix = rule.fix;
    if (f.site_in_stdlib) {
      std::string how = fmt::format(
          "No frame of your code is on these stacks: the goroutines run entirely in the standard "
          "library, entered at {}",
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
  std::vector<bool> claimed_;
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
