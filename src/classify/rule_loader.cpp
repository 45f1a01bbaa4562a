#include "classify/rule_loader.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>
#include <re2/re2.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "model/units.h"

namespace gorleak {

namespace {

// Thrown inside this file only; parse_rule_text turns it into a Diagnostic.
struct RuleError {
  YAML::Mark mark;
  std::string message;
};

// Messages quote the user's keys and values, which may hold line breaks or
// other control characters: escape them so a diagnostic stays one line.
std::string one_line(std::string message) {
  std::string out;
  out.reserve(message.size());
  for (char c : message) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out += c;
  }
  return out;
}

[[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
  throw RuleError{mark, one_line(std::move(message))};
}

// The parsed file, built from yaml-cpp's event stream in one pass. Building
// it ourselves (instead of YAML::Load) keeps every node's mark, and lets us
// refuse what YAML::Load would silently resolve - anchors and aliases, which
// can turn a small file into a huge tree - and nesting deeper than any rule
// needs, before anything is built from them.
struct YNode {
  YAML::NodeType::value type = YAML::NodeType::Null;
  YAML::Mark mark;
  std::string scalar;
  std::vector<YNode> seq;
  std::vector<std::pair<YNode, YNode>> map;

  YAML::NodeType::value Type() const { return type; }
  bool IsNull() const { return type == YAML::NodeType::Null; }
  bool IsScalar() const { return type == YAML::NodeType::Scalar; }
  bool IsSequence() const { return type == YAML::NodeType::Sequence; }
  bool IsMap() const { return type == YAML::NodeType::Map; }
  const std::string& Scalar() const { return scalar; }
  const YAML::Mark& Mark() const { return mark; }
  std::vector<YNode>::const_iterator begin() const { return seq.begin(); }
  std::vector<YNode>::const_iterator end() const { return seq.end(); }
  const YNode* value(std::string_view name) const {
    for (const auto& [k, v] : map)
      if (k.IsScalar() && k.scalar == name) return &v;
    return nullptr;
  }

  // Special members out of line: clang with libstdc++ refuses to instantiate
  // pair<YNode, YNode> while YNode is still incomplete (the fuzz build).
  YNode();
  YNode(const YNode&);
  YNode(YNode&&) noexcept;
  YNode& operator=(const YNode&);
  YNode& operator=(YNode&&) noexcept;
  ~YNode();
};
YNode::YNode() = default;
YNode::YNode(const YNode&) = default;
YNode::YNode(YNode&&) noexcept = default;
YNode& YNode::operator=(const YNode&) = default;
YNode& YNode::operator=(YNode&&) noexcept = default;
YNode::~YNode() = default;

class TreeBuilder : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    check_anchor(mark, anchor);
    YNode n;
    n.mark = mark;
    add(std::move(n));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    fail(mark, "YAML aliases (*name) are not allowed in rule files");
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    check_anchor(mark, anchor);
    YNode n;
    n.type = YAML::NodeType::Scalar;
    n.mark = mark;
    n.scalar = value;
    add(std::move(n));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, YAML::NodeType::Sequence);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, YAML::NodeType::Map);
  }
  void OnMapEnd() override { close(); }

  // The document's root; Null for an empty document.
  YNode root;
  int documents = 0;

 private:
  struct Open {
    YNode node;
    std::optional<YNode> pending_key;  // maps: key read, value not yet
  };
  void check_anchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) fail(mark, "YAML anchors (&name) are not allowed in rule files");
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor, YAML::NodeType::value type) {
    check_anchor(mark, anchor);
    if (static_cast<int>(stack_.size()) + 1 > kMaxRuleFileDepth)
      fail(mark, fmt::format("nesting deeper than {} levels", kMaxRuleFileDepth));
    Open o;
    o.node.type = type;
    o.node.mark = mark;
    stack_.push_back(std::move(o));
  }
  void close() {
    YNode done = std::move(stack_.back().node);
    stack_.pop_back();
    add(std::move(done));
  }
  void add(YNode n) {
    if (stack_.empty()) {
      if (++documents > 1) fail(n.mark, "a rule file holds one YAML document");
      root = std::move(n);
      return;
    }
    Open& top = stack_.back();
    if (top.node.IsSequence()) {
      top.node.seq.push_back(std::move(n));
    } else if (!top.pending_key) {
      top.pending_key = std::move(n);
    } else {
      top.node.map.emplace_back(std::move(*top.pending_key), std::move(n));
      top.pending_key.reset();
    }
  }
  std::vector<Open> stack_;
};

std::string_view kind_name(const YNode& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    default: return "an undefined node";
  }
}

// Walks one map, rejecting unknown and repeated keys, and hands each known
// key's value to the caller.
class MapReader {
 public:
  MapReader(const YNode& node, std::string_view what,
            std::initializer_list<std::string_view> known)
      : node_(node) {
    if (!node.IsMap()) fail(node.Mark(), fmt::format("expected a map for {}, got {}", what, kind_name(node)));
    for (auto it = node.map.begin(); it != node.map.end(); ++it) {
      const YNode& k = it->first;
      if (!k.IsScalar()) fail(k.Mark(), fmt::format("expected a field name in {}", what));
      const std::string& key = k.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string list;
        for (std::string_view s : known) list += fmt::format("{}{}", list.empty() ? "" : ", ", s);
        fail(k.Mark(), fmt::format("unknown field '{}' in {} (known: {})", key, what, list));
      }
      for (const auto& e : entries_)
        if (e.first == key) fail(k.Mark(), fmt::format("field '{}' given twice in {}", key, what));
      entries_.emplace_back(key, it->second);
      key_marks_.push_back(k.Mark());
    }
  }
  const YNode* get(std::string_view key) const {
    for (const auto& e : entries_)
      if (e.first == key) return &e.second;
    return nullptr;
  }
  const YNode& require(std::string_view key, std::string_view what) const {
    const YNode* n = get(key);
    if (!n) fail(node_.Mark(), fmt::format("missing field '{}' in {}", key, what));
    return *n;
  }

 private:
  const YNode& node_;
  std::vector<std::pair<std::string, YNode>> entries_;
  std::vector<YAML::Mark> key_marks_;
};

std::string as_string(const YNode& n, std::string_view field) {
  if (!n.IsScalar()) fail(n.Mark(), fmt::format("'{}' must be a string, got {}", field, kind_name(n)));
  return n.Scalar();
}

uint64_t as_uint(const YNode& n, std::string_view field) {
  if (!n.IsScalar()) fail(n.Mark(), fmt::format("'{}' must be a whole number, got {}", field, kind_name(n)));
  const std::string& s = n.Scalar();
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    fail(n.Mark(), fmt::format("'{}' must be a whole number, got '{}'", field, s));
  return v;
}

bool as_bool(const YNode& n, std::string_view field) {
  if (n.IsScalar() && n.Scalar() == "true") return true;
  if (n.IsScalar() && n.Scalar() == "false") return false;
  fail(n.Mark(), fmt::format("'{}' must be true or false", field));
}

// A scalar or a list of scalars.
std::vector<std::string> as_string_list(const YNode& n, std::string_view field) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) fail(n.Mark(), fmt::format("'{}' must be a string or a list of strings", field));
  for (const auto& e : n) out.push_back(as_string(e, field));
  return out;
}

// Validates an RE2 pattern here so the message points at the scalar and
// carries RE2's own explanation.
std::string as_regex(const YNode& n, std::string_view field) {
  std::string pattern = as_string(n, field);
  RE2::Options opt;
  opt.set_log_errors(false);
  RE2 re(pattern, opt);
  if (!re.ok())
    fail(n.Mark(), fmt::format("invalid regular expression in '{}': {}", field, re.error()));
  return pattern;
}

// Prose fields: YAML block scalars (`|`) end with a newline nobody wants.
std::string as_text(const YNode& n, std::string_view field) {
  std::string s = as_string(n, field);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

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
    if (!category_from_name(name, &cat)) fail(e.Mark(), fmt::format("unknown state category '{}'", name));
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
    MapReader sm(*s, "'source'", {"pattern", "frame", "before", "after", "in_loop", "unconfirmed_severity"});
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

Diagnostic error_at(const std::string& file, const YAML::Mark& mark, std::string message) {
  Diagnostic d;
  d.severity = Severity::kError;
  d.file = file;
  // yaml-cpp marks are 0-based; a null mark (-1) means "no position".
  d.line = mark.line >= 0 ? static_cast<uint64_t>(mark.line + 1) : 0;
  d.column = mark.column >= 0 ? static_cast<uint32_t>(mark.column + 1) : 0;
  d.message = std::move(message);
  return d;
}

}  // namespace

RuleLoadResult parse_rule_text(std::string_view text, const std::string& name) {
  RuleLoadResult out;
  if (text.size() > kMaxRuleFileBytes) {
    Diagnostic d;
    d.severity = Severity::kError;
    d.file = name;
    d.message = fmt::format("rule file is {} bytes, more than the {} MiB limit", text.size(),
                            kMaxRuleFileBytes >> 20);
    out.diagnostics.push_back(std::move(d));
    return out;
  }
  std::string buf(text);
  try {
    std::istringstream in(buf);
    YAML::Parser parser(in);
    TreeBuilder tree;
    while (parser.HandleNextDocument(tree)) {
    }
    const YNode& root = tree.root;
    if (root.IsNull()) fail(YAML::Mark::null_mark(), "no 'rules:' list in the file");
    MapReader top(root, "the file", {"rules", "request_handlers"});
    if (const YNode* rh = top.get("request_handlers")) {
      if (!rh->IsSequence()) fail(rh->Mark(), "'request_handlers' must be a list of function patterns");
      for (const auto& e : *rh) out.request_handlers.push_back(as_regex(e, "request_handlers"));
    }
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
  } catch (const RuleError& e) {
    out.rules.clear();
    out.request_handlers.clear();
    out.diagnostics.push_back(error_at(name, e.mark, e.message));
  } catch (const YAML::Exception& e) {
    out.rules.clear();
    out.request_handlers.clear();
    out.diagnostics.push_back(error_at(name, e.mark, one_line("YAML syntax error: " + e.msg)));
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
  for (std::string& h : result.request_handlers) request_handlers_.push_back(std::move(h));
  return true;
}

bool RuleLoader::add_text(std::string_view text, const std::string& name, bool builtin) {
  return accept(parse_rule_text(text, name), builtin);
}

bool RuleLoader::add_file(const std::string& path, bool builtin) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  Diagnostic d;
  d.severity = Severity::kError;
  d.file = path;
  if (ec) {
    d.message = fmt::format("cannot read rule file: {}", ec.message());
    diagnostics_.push_back(std::move(d));
    return false;
  }
  if (size > kMaxRuleFileBytes) {
    d.message = fmt::format("rule file is {} bytes, more than the {} MiB limit", size,
                            kMaxRuleFileBytes >> 20);
    diagnostics_.push_back(std::move(d));
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) {
    d.message = "cannot read rule file";
    diagnostics_.push_back(std::move(d));
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
