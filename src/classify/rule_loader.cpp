#include "classify/rule_loader.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <unordered_map>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "read/yaml_tree.h"

static_assert(gorleak::kMaxRuleFileBytes == gorleak::kMaxYamlFileBytes);
static_assert(gorleak::kMaxRuleFileDepth == gorleak::kMaxYamlDepth);
#include "model/units.h"

namespace gorleak {

namespace {

RuleOrigin origin_of(const YNode& n, const std::string& file) {
  return RuleOrigin{file, static_cast<uint32_t>(n.Mark().line + 1),
                    static_cast<uint32_t>(n.Mark().column + 1)};
}

RuleSeverity as_severity(const YNode& n, std::string_view field) {
  RuleSeverity s;
  std::string name = as_string(n, field);
  if (!severity_from_name(name, &s))
    fail(n.Mark(), fmt::format("unknown severity '{}' (info, low, medium, high, critical)", name));
  return s;
}

Confidence as_confidence(const YNode& n) {
  std::string name = as_string(n, "confidence");
  for (Confidence c : {Confidence::kUnconfirmed, Confidence::kLow, Confidence::kMedium, Confidence::kHigh})
    if (confidence_name(c) == name) return c;
  fail(n.Mark(), fmt::format("unknown confidence '{}' (unconfirmed, low, medium, high)", name));
}

// A category name or a list of them.
std::vector<StateCategory> as_categories(const YNode& c) {
  std::vector<StateCategory> out;
  auto read_one = [&](const YNode& e) {
    StateCategory cat;
    std::string name = as_string(e, "categories");
    if (!category_from_name(name, &cat)) {
      std::string known;
      for (size_t c = 0; c < kStateCategoryCount; ++c)
        known += fmt::format("{}{}", c ? ", " : "", category_name(static_cast<StateCategory>(c)));
      fail(e.Mark(), fmt::format("unknown state category '{}' (known: {})", name, known));
    }
    out.push_back(cat);
  };
  if (c.IsSequence()) {
    for (const auto& e : c) read_one(e);
  } else {
    read_one(c);
  }
  return out;
}

StateCondition read_state(const YNode& n) {
  MapReader m(n, "'state'", {"categories", "reason", "strict"});
  StateCondition s;
  if (const YNode* c = m.get("categories")) s.categories = as_categories(*c);
  if (const YNode* r = m.get("reason")) s.reason = as_regex(*r, "reason");
  if (const YNode* st = m.get("strict")) s.strict = as_bool(*st, "strict");
  if (!s.present()) fail(n.Mark(), "'state' needs 'categories' or 'reason'");
  return s;
}

FrameCondition read_frame(const YNode& n, const std::string& file) {
  MapReader m(n, "a 'frames' entry", {"in", "depth", "func", "file", "not"});
  FrameCondition f;
  f.origin = origin_of(n, file);
  if (const YNode* in = m.get("in")) {
    std::string s = as_string(*in, "in");
    if (s == "any") f.scope = FrameScope::kAny;
    else if (s == "top") f.scope = FrameScope::kTop;
    else if (s == "user") f.scope = FrameScope::kUser;
    else if (s == "created_by") f.scope = FrameScope::kCreatedBy;
    else fail(in->Mark(), fmt::format("unknown frame scope '{}' (any, top, user, created_by)", s));
  }
  if (const YNode* d = m.get("depth")) {
    if (f.scope != FrameScope::kTop) fail(d->Mark(), "'depth' only applies to 'in: top'");
    f.depth = static_cast<uint32_t>(as_uint(*d, "depth"));
    if (f.depth == 0) fail(d->Mark(), "'depth' must be at least 1");
  }
  if (const YNode* fn = m.get("func")) f.func = as_regex(*fn, "func");
  if (const YNode* fl = m.get("file")) f.file = as_regex(*fl, "file");
  if (const YNode* neg = m.get("not")) f.negate = as_bool(*neg, "not");
  if (f.func.empty() && f.file.empty()) fail(n.Mark(), "a 'frames' entry needs 'func' or 'file'");
  return f;
}

std::vector<FrameCondition> read_frames(const YNode& fr, const std::string& file) {
  if (!fr.IsSequence()) fail(fr.Mark(), fmt::format("'frames' must be a list, got {}", kind_name(fr)));
  std::vector<FrameCondition> out;
  for (const auto& e : fr) out.push_back(read_frame(e, file));
  return out;
}

MatchSpec read_match(const YNode& n, const std::string& file) {
  MapReader m(n, "'match'", {"state", "frames", "min_wait_minutes", "min_count", "count_by",
                             "growth", "source", "site", "spawner", "leaked"});
  MatchSpec spec;
  if (const YNode* s = m.get("state")) spec.state = read_state(*s);
  if (const YNode* fr = m.get("frames")) spec.frames = read_frames(*fr, file);
  if (const YNode* w = m.get("min_wait_minutes"))
    spec.min_wait_minutes = static_cast<int64_t>(as_uint(*w, "min_wait_minutes"));
  if (const YNode* c = m.get("min_count")) {
    spec.min_count = as_uint(*c, "min_count");
    if (spec.min_count == 0) fail(c->Mark(), "'min_count' must be at least 1");
  }
  if (const YNode* c = m.get("count_by")) {
    std::string s = as_string(*c, "count_by");
    if (s == "group") spec.count_by = CountBy::kGroup;
    else if (s == "site") spec.count_by = CountBy::kSite;
    else fail(c->Mark(), fmt::format("unknown count_by '{}' (group, site)", s));
  }
  if (const YNode* g = m.get("growth")) {
    MapReader gm(*g, "'growth'", {"min_delta", "required"});
    spec.growth.present = true;
    if (const YNode* d = gm.get("min_delta")) spec.growth.min_delta = as_uint(*d, "min_delta");
    if (const YNode* r = gm.get("required")) spec.growth.required = as_bool(*r, "required");
  }
  if (const YNode* s = m.get("source")) {
    MapReader sm(*s, "'source'",
                 {"pattern", "frame", "before", "after", "in_loop", "unconfirmed_severity", "refute_only"});
    spec.source.present = true;
    spec.source.pattern = as_regex(sm.require("pattern", "'source'"), "pattern");
    if (const YNode* f = sm.get("frame")) {
      std::string v = as_string(*f, "frame");
      if (v == "site") spec.source.frame = SourceFrame::kSite;
      else if (v == "top") spec.source.frame = SourceFrame::kTop;
      else fail(f->Mark(), fmt::format("unknown source frame '{}' (site, top)", v));
    }
    if (const YNode* b = sm.get("before")) spec.source.before = static_cast<uint32_t>(std::min<uint64_t>(as_uint(*b, "before"), 200));
    if (const YNode* a = sm.get("after")) spec.source.after = static_cast<uint32_t>(std::min<uint64_t>(as_uint(*a, "after"), 200));
    if (const YNode* l = sm.get("in_loop")) spec.source.in_loop = as_bool(*l, "in_loop");
    if (const YNode* u = sm.get("unconfirmed_severity"))
      spec.source.unconfirmed_severity = as_severity(*u, "unconfirmed_severity");
    if (const YNode* r = sm.get("refute_only")) spec.source.refute_only = as_bool(*r, "refute_only");
  }
  if (const YNode* s = m.get("site")) {
    std::string v = as_string(*s, "site");
    if (v == "any") spec.site = SiteKind::kAny;
    else if (v == "user") spec.site = SiteKind::kUser;
    else if (v == "stdlib") spec.site = SiteKind::kStdlib;
    else if (v == "top") spec.site = SiteKind::kTop;
    else fail(s->Mark(), fmt::format("unknown site kind '{}' (any, user, stdlib, top)", v));
  }
  if (const YNode* s = m.get("spawner")) {
    std::string v = as_string(*s, "spawner");
    if (v == "any") spec.spawner = SpawnerKind::kAny;
    else if (v == "user") spec.spawner = SpawnerKind::kUser;
    else if (v == "stdlib") spec.spawner = SpawnerKind::kStdlib;
    else fail(s->Mark(), fmt::format("unknown spawner kind '{}' (any, user, stdlib)", v));
  }
  if (const YNode* l = m.get("leaked")) spec.leaked = as_bool(*l, "leaked");
  return spec;
}

// A byte count: 1048576, 512KiB, 1MiB, 2GiB (binary units, as reports print).
int64_t as_bytes(const YNode& n, std::string_view field) {
  if (!n.IsScalar()) fail(n.Mark(), fmt::format("'{}' must be a byte count, got {}", field, kind_name(n)));
  int64_t v = 0;
  if (!parse_byte_count(n.Scalar(), &v))
    fail(n.Mark(), fmt::format("'{}' must be a byte count such as 65536, 512KiB or 1MiB, got '{}'", field,
                               n.Scalar()));
  return v;
}

double as_fraction(const YNode& n, std::string_view field) {
  if (!n.IsScalar()) fail(n.Mark(), fmt::format("'{}' must be a number between 0 and 1", field));
  const std::string& s = n.Scalar();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !(v >= 0 && v <= 1))
    fail(n.Mark(), fmt::format("'{}' must be a number between 0 and 1, got '{}'", field, s));
  return v;
}

HeapMatchSpec read_heap(const YNode& n, const std::string& file) {
  MapReader m(n, "'heap'", {"frames", "value", "min_value", "min_share", "min_retained", "growth"});
  HeapMatchSpec h;
  h.present = true;
  if (const YNode* fr = m.get("frames")) {
    if (!fr->IsSequence()) fail(fr->Mark(), fmt::format("'frames' must be a list, got {}", kind_name(*fr)));
    for (const auto& e : *fr) {
      FrameCondition f = read_frame(e, file);
      if (f.scope == FrameScope::kCreatedBy)
        fail(e.Mark(), "heap stacks have no created-by line: use 'any', 'top' or 'user'");
      h.frames.push_back(std::move(f));
    }
  }
  if (const YNode* v = m.get("value")) {
    std::string name = as_string(*v, "value");
    if (!heap_value_from_name(name, &h.value))
      fail(v->Mark(), fmt::format("unknown heap value '{}' (inuse_space, inuse_objects, alloc_space, "
                                  "alloc_objects)", name));
  }
  if (const YNode* v = m.get("min_value"))
    h.min_value = is_bytes(h.value) ? as_bytes(*v, "min_value") : static_cast<int64_t>(std::min<uint64_t>(as_uint(*v, "min_value"), INT64_MAX));
  if (const YNode* v = m.get("min_share")) h.min_share = as_fraction(*v, "min_share");
  if (const YNode* v = m.get("min_retained")) h.min_retained = as_fraction(*v, "min_retained");
  if (const YNode* g = m.get("growth")) {
    MapReader gm(*g, "'heap.growth'", {"min_inuse_space", "min_inuse_objects", "required"});
    h.growth.present = true;
    if (const YNode* s = gm.get("min_inuse_space")) h.growth.min_inuse_space = as_bytes(*s, "min_inuse_space");
    if (const YNode* o = gm.get("min_inuse_objects"))
      h.growth.min_inuse_objects = static_cast<int64_t>(std::min<uint64_t>(as_uint(*o, "min_inuse_objects"), INT64_MAX));
    if (const YNode* r = gm.get("required")) h.growth.required = as_bool(*r, "required");
  }
  if (h.frames.empty()) fail(n.Mark(), "'heap' needs 'frames': which allocations the rule is about");
  return h;
}

Lookalike as_lookalike(const YNode& n) {
  std::string v = as_string(n, "lookalike");
  for (Lookalike l : {Lookalike::kNone, Lookalike::kPool, Lookalike::kInFlight, Lookalike::kSaturation,
                      Lookalike::kConnection})
    if (lookalike_name(l) == v) return l;
  fail(n.Mark(), fmt::format("unknown lookalike '{}' (none, pool, in-flight, saturation, connection)", v));
}

UnitSpec read_unit(const YNode& n, const std::string& file) {
  MapReader m(n, "'unit'", {"name", "companions"});
  UnitSpec u;
  u.name = as_text(m.require("name", "'unit'"), "name");
  if (u.name.empty()) fail(n.Mark(), "'unit' needs a non-empty 'name'");
  if (const YNode* cs = m.get("companions")) {
    if (!cs->IsSequence()) fail(cs->Mark(), "'companions' must be a list");
    for (const auto& e : *cs) {
      MapReader cm(e, "a 'companions' entry", {"frames", "categories", "per_unit"});
      UnitCompanion c;
      c.origin = origin_of(e, file);
      c.frames = read_frames(cm.require("frames", "a 'companions' entry"), file);
      if (c.frames.empty()) fail(e.Mark(), "a companion needs at least one frame condition");
      if (const YNode* cat = cm.get("categories")) c.categories = as_categories(*cat);
      if (const YNode* pu = cm.get("per_unit")) {
        c.per_unit = as_uint(*pu, "per_unit");
        if (c.per_unit == 0) fail(pu->Mark(), "'per_unit' must be at least 1");
      }
      u.companions.push_back(std::move(c));
    }
  }
  return u;
}

CounterEvidence read_counter_evidence(const YNode& n, const std::string& file) {
  MapReader m(n, "a 'counter_evidence' entry", {"frames", "categories", "same_creator", "says"});
  CounterEvidence c;
  c.origin = origin_of(n, file);
  c.frames = read_frames(m.require("frames", "a 'counter_evidence' entry"), file);
  if (c.frames.empty()) fail(n.Mark(), "'counter_evidence' needs at least one frame condition");
  if (const YNode* cat = m.get("categories")) c.categories = as_categories(*cat);
  if (const YNode* sc = m.get("same_creator")) c.same_creator = as_bool(*sc, "same_creator");
  c.says = as_text(m.require("says", "a 'counter_evidence' entry"), "says");
  return c;
}

// "1.23" -> 23: Go 1.x minor versions.
uint32_t as_go_minor(const YNode& n, std::string_view field) {
  std::string v = as_string(n, field);
  uint32_t minor = 0;
  auto [p, ec] = std::from_chars(v.data() + std::min<size_t>(2, v.size()), v.data() + v.size(), minor);
  if (v.rfind("1.", 0) != 0 || ec != std::errc() || p != v.data() + v.size() || minor == 0)
    fail(n.Mark(), fmt::format("'{}' must be a Go release such as \"1.23\", got '{}'", field, v));
  return minor;
}

RuleExample read_example(const YNode& n, const std::string& file) {
  MapReader m(n, "an 'examples' entry", {"dump", "base", "snippet", "expect", "source_root", "module"});
  RuleExample ex;
  ex.origin = origin_of(n, file);
  if (const YNode* d = m.get("dump")) ex.dump = as_string(*d, "dump");
  if (const YNode* b = m.get("base")) ex.base = as_string(*b, "base");
  if (const YNode* s = m.get("snippet")) ex.snippet = as_string(*s, "snippet");
  if (ex.dump.empty() == ex.snippet.empty())
    fail(n.Mark(), "an example needs exactly one of 'dump' or 'snippet'");
  const YNode& e = m.require("expect", "an 'examples' entry");
  if (e.IsScalar()) {
    if (e.Scalar() != "none") fail(e.Mark(), "'expect' must be 'none' or a map with count/site/confidence");
    ex.expect_none = true;
  } else {
    MapReader em(e, "'expect'", {"count", "site", "confidence", "severity", "evidence"});
    if (const YNode* c = em.get("count")) ex.count = static_cast<int64_t>(as_uint(*c, "count"));
    if (const YNode* s = em.get("site")) ex.site = as_string(*s, "site");
    if (const YNode* c = em.get("confidence")) ex.confidence = std::string(confidence_name(as_confidence(*c)));
    if (const YNode* s = em.get("severity")) ex.severity = std::string(severity_name(as_severity(*s, "severity")));
    if (const YNode* ev = em.get("evidence")) {
      EvidenceLevel level;
      std::string name = as_string(*ev, "evidence");
      if (!evidence_level_from_name(name, &level))
        fail(ev->Mark(), fmt::format("unknown evidence level '{}' (proof, state, growth, wait, spawning, "
                                     "count, suspect, pool-like, withdrawn)",
                                     name));
      ex.evidence = name;
    }
  }
  if (const YNode* r = m.get("source_root")) ex.source_roots = as_string_list(*r, "source_root");
  if (const YNode* mo = m.get("module")) ex.modules = as_string_list(*mo, "module");
  return ex;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return id[0] != '-';
}

Rule read_rule(const YNode& n, const std::string& file) {
  MapReader m(n, "a rule", {"id", "title", "severity", "confidence", "description", "fix",
                            "caller_hint", "priority", "match", "heap", "lookalike", "unit",
                            "counter_evidence", "waits_for", "fixed_in_go", "examples"});
  Rule r;
  r.origin = origin_of(n, file);
  const YNode& id = m.require("id", "a rule");
  r.id = as_string(id, "id");
  if (!valid_id(r.id))
    fail(id.Mark(), fmt::format("rule id '{}' must be 1-64 of a-z, 0-9, '-', '_'", r.id));
  r.title = as_text(m.require("title", "a rule"), "title");
  r.severity = as_severity(m.require("severity", "a rule"), "severity");
  if (const YNode* c = m.get("confidence")) r.confidence = as_confidence(*c);
  r.description = as_text(m.require("description", "a rule"), "description");
  r.fix = as_text(m.require("fix", "a rule"), "fix");
  if (const YNode* h = m.get("caller_hint")) r.caller_hint = as_text(*h, "caller_hint");
  if (const YNode* p = m.get("priority")) {
    uint64_t v = as_uint(*p, "priority");
    if (v > 100) fail(p->Mark(), "'priority' must be between 0 and 100");
    r.priority = static_cast<int>(v);
  }
  const YNode* heap = m.get("heap");
  if (heap && m.get("match")) fail(heap->Mark(), "a rule has 'match' (goroutines) or 'heap', not both");
  if (heap) {
    r.heap = read_heap(*heap, file);
  } else {
    const YNode& match = m.require("match", "a rule");
    r.match = read_match(match, file);
    if (!r.match.state.present() && r.match.frames.empty() && !r.match.leaked)
      fail(match.Mark(), "'match' needs at least one of 'state', 'frames' or 'leaked'");
  }
  if (const YNode* l = m.get("lookalike")) r.lookalike = as_lookalike(*l);
  if (const YNode* u = m.get("unit")) r.unit = read_unit(*u, file);
  if (const YNode* ce = m.get("counter_evidence")) {
    if (!ce->IsSequence()) fail(ce->Mark(), "'counter_evidence' must be a list");
    for (const auto& e : *ce) r.counter_evidence.push_back(read_counter_evidence(e, file));
  }
  if (const YNode* w = m.get("waits_for")) {
    std::string v = as_string(*w, "waits_for");
    if (v != "siblings") fail(w->Mark(), fmt::format("unknown waits_for '{}' (siblings)", v));
    r.waits_for_siblings = true;
  }
  if (const YNode* g = m.get("fixed_in_go")) r.fixed_in_go_minor = as_go_minor(*g, "fixed_in_go");
  if (const YNode* ex = m.get("examples")) {
    if (!ex->IsSequence()) fail(ex->Mark(), fmt::format("'examples' must be a list, got {}", kind_name(*ex)));
    for (const auto& e : *ex) {
      r.examples.push_back(read_example(e, file));
      const RuleExample& x = r.examples.back();
      if (heap && !x.snippet.empty()) fail(e.Mark(), "a heap rule's example names a profile with 'dump', not a 'snippet'");
      if (!heap && !x.base.empty()) fail(e.Mark(), "'base' is for heap rules' examples");
      if (heap && x.count >= 0) fail(e.Mark(), "a heap rule's example expects a 'site' or 'confidence', not a goroutine 'count'");
    }
  }
  return r;
}

// A top-level list of function patterns (`request_handlers:` and the like).
void read_role(const MapReader& top, const char* key, std::vector<std::string>* out) {
  const YNode* list = top.get(key);
  if (list == nullptr) return;
  if (!list->IsSequence()) fail(list->Mark(), fmt::format("'{}' must be a list of function patterns", key));
  for (const auto& e : *list) out->push_back(as_regex(e, key));
}

}  // namespace

void FunctionRoles::append(FunctionRoles more) {
  for (std::string& h : more.request_handlers) request_handlers.push_back(std::move(h));
  for (std::string& w : more.client_watchers) client_watchers.push_back(std::move(w));
}

RuleLoadResult parse_rule_text(std::string_view text, const std::string& name) {
  RuleLoadResult out;
  Diagnostic error;
  bool ok = read_yaml(text, name, "rule file", [&](const YNode& root) {
    if (root.IsNull()) fail(YAML::Mark::null_mark(), "no 'rules:' list in the file");
    MapReader top(root, "the file", {"rules", "request_handlers", "client_watchers"});
    read_role(top, "request_handlers", &out.roles.request_handlers);
    read_role(top, "client_watchers", &out.roles.client_watchers);
    const YNode& list = top.require("rules", "the file");
    if (!list.IsSequence()) fail(list.Mark(), fmt::format("'rules' must be a list, got {}", kind_name(list)));
    std::unordered_map<std::string, RuleOrigin> seen;
    for (const auto& r : list) {
      Rule rule = read_rule(r, name);
      auto [it, fresh] = seen.emplace(rule.id, rule.origin);
      if (!fresh)
        fail(r.value("id")->Mark(), fmt::format("duplicate rule id '{}' (first defined at {}:{}:{})", rule.id,
                                         it->second.file, it->second.line, it->second.column));
      out.rules.push_back(std::move(rule));
    }
  }, &error);
  if (!ok) {
    out.rules.clear();
    out.roles = {};
    out.diagnostics.push_back(std::move(error));
  }
  return out;
}

bool RuleLoader::accept(RuleLoadResult result, bool builtin) {
  if (!result.ok()) {
    for (auto& d : result.diagnostics) diagnostics_.push_back(std::move(d));
    return false;
  }
  // Ids must be unique across every file: a duplicate rejects the whole
  // later file, so what is loaded never depends on which copy won.
  for (const Rule& r : result.rules) {
    for (const Rule& old : rules_) {
      if (old.id != r.id) continue;
      Diagnostic d;
      d.severity = Severity::kError;
      d.file = r.origin.file;
      d.line = r.origin.line;
      d.column = r.origin.column;
      d.message = fmt::format("duplicate rule id '{}' (first defined at {}:{}:{})", r.id,
                              old.origin.file, old.origin.line, old.origin.column);
      diagnostics_.push_back(std::move(d));
      return false;
    }
  }
  for (Rule& r : result.rules) {
    r.builtin = builtin;
    rules_.push_back(std::move(r));
  }
  roles_.append(std::move(result.roles));
  return true;
}

bool RuleLoader::add_text(std::string_view text, const std::string& name, bool builtin) {
  return accept(parse_rule_text(text, name), builtin);
}

bool RuleLoader::add_file(const std::string& path, bool builtin) {
  std::string text;
  Diagnostic error;
  if (!read_yaml_file(path, "rule file", &text, &error)) {
    diagnostics_.push_back(std::move(error));
    return false;
  }
  return add_text(text, path, builtin);
}

bool RuleLoader::add_path(const std::string& path, bool builtin) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return add_file(path, builtin);
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
    auto ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  bool ok = true;
  for (const auto& f : files) ok = add_file(f, builtin) && ok;
  return ok;
}

}  // namespace gorleak

namespace gorleak {

std::string_view lookalike_name(Lookalike l) {
  switch (l) {
    case Lookalike::kNone: return "none";
    case Lookalike::kPool: return "pool";
    case Lookalike::kInFlight: return "in-flight";
    case Lookalike::kSaturation: return "saturation";
    case Lookalike::kConnection: return "connection";
  }
  return "none";
}

std::string_view frame_scope_name(FrameScope s) {
  switch (s) {
    case FrameScope::kAny: return "any";
    case FrameScope::kTop: return "top";
    case FrameScope::kUser: return "user";
    case FrameScope::kCreatedBy: return "created_by";
  }
  return "any";
}

}  // namespace gorleak
