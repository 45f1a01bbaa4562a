#include "read/yaml_tree.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <re2/re2.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

namespace gorleak {

YNode::YNode() = default;
YNode::YNode(const YNode&) = default;
YNode::YNode(YNode&&) noexcept = default;
YNode& YNode::operator=(const YNode&) = default;
YNode& YNode::operator=(YNode&&) noexcept = default;
YNode::~YNode() = default;

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

void fail(const YAML::Mark& mark, std::string message) {
  throw YamlError{mark, one_line(std::move(message))};
}

namespace {

// Builds the tree from yaml-cpp's event stream in one pass. Building it
// ourselves (instead of YAML::Load) keeps every node's mark, and lets us
// refuse anchors, aliases and deep nesting before anything is built.
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(std::string_view kind) : kind_(kind) {}
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    check_anchor(mark, anchor);
    YNode n;
    n.mark = mark;
    add(std::move(n));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    fail(mark, fmt::format("YAML aliases (*name) are not allowed in {}s", kind_));
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

 private:
  struct Open {
    YNode node;
    std::optional<YNode> pending_key;  // maps: key read, value not yet
  };
  void check_anchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor)
      fail(mark, fmt::format("YAML anchors (&name) are not allowed in {}s", kind_));
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor, YAML::NodeType::value type) {
    check_anchor(mark, anchor);
    if (static_cast<int>(stack_.size()) + 1 > kMaxYamlDepth)
      fail(mark, fmt::format("nesting deeper than {} levels", kMaxYamlDepth));
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
      if (++documents_ > 1) fail(n.mark, fmt::format("a {} holds one YAML document", kind_));
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
  std::string_view kind_;
  std::vector<Open> stack_;
  int documents_ = 0;
};

std::string too_large(std::string_view kind, uint64_t size) {
  return fmt::format("{} is {} bytes, more than the {} MiB limit", kind, size,
                     kMaxYamlFileBytes >> 20);
}

}  // namespace

std::string_view kind_name(const YNode& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    default: return "an undefined node";
  }
}

MapReader::MapReader(const YNode& node, std::string_view what,
                     std::initializer_list<std::string_view> known)
    : node_(node) {
  if (!node.IsMap())
    fail(node.Mark(), fmt::format("expected a map for {}, got {}", what, kind_name(node)));
  for (const auto& [k, v] : node.map) {
    if (!k.IsScalar()) fail(k.Mark(), fmt::format("expected a field name in {}", what));
    const std::string& key = k.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (std::string_view s : known) list += fmt::format("{}{}", list.empty() ? "" : ", ", s);
      fail(k.Mark(), fmt::format("unknown field '{}' in {} (known: {})", key, what, list));
    }
    for (const auto& e : entries_)
      if (e.first == key) fail(k.Mark(), fmt::format("field '{}' given twice in {}", key, what));
    entries_.emplace_back(key, v);
  }
}

const YNode* MapReader::get(std::string_view key) const {
  for (const auto& e : entries_)
    if (e.first == key) return &e.second;
  return nullptr;
}

const YNode& MapReader::require(std::string_view key, std::string_view what) const {
  const YNode* n = get(key);
  if (!n) fail(node_.Mark(), fmt::format("missing field '{}' in {}", key, what));
  return *n;
}

std::string as_string(const YNode& n, std::string_view field) {
  if (!n.IsScalar())
    fail(n.Mark(), fmt::format("'{}' must be a string, got {}", field, kind_name(n)));
  return n.Scalar();
}

uint64_t as_uint(const YNode& n, std::string_view field) {
  if (!n.IsScalar())
    fail(n.Mark(), fmt::format("'{}' must be a whole number, got {}", field, kind_name(n)));
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

std::vector<std::string> as_string_list(const YNode& n, std::string_view field) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence())
    fail(n.Mark(), fmt::format("'{}' must be a string or a list of strings", field));
  for (const auto& e : n) out.push_back(as_string(e, field));
  return out;
}

std::string as_regex(const YNode& n, std::string_view field) {
  std::string pattern = as_string(n, field);
  RE2::Options opt;
  opt.set_log_errors(false);
  RE2 re(pattern, opt);
  if (!re.ok())
    fail(n.Mark(), fmt::format("invalid regular expression in '{}': {}", field, re.error()));
  return pattern;
}

std::string as_text(const YNode& n, std::string_view field) {
  std::string s = as_string(n, field);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

Diagnostic error_at(const std::string& file, const YAML::Mark& mark, std::string message) {
  Diagnostic d;
  d.severity = Severity::kError;
  d.file = file;
  d.line = mark.line >= 0 ? static_cast<uint64_t>(mark.line + 1) : 0;
  d.column = mark.column >= 0 ? static_cast<uint32_t>(mark.column + 1) : 0;
  d.message = std::move(message);
  return d;
}

bool read_yaml(std::string_view text, const std::string& name, std::string_view kind,
               const std::function<void(const YNode& root)>& read, Diagnostic* error) {
  if (text.size() > kMaxYamlFileBytes) {
    *error = error_at(name, YAML::Mark::null_mark(), too_large(kind, text.size()));
    return false;
  }
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    TreeBuilder tree(kind);
    while (parser.HandleNextDocument(tree)) {
    }
    read(tree.root);
  } catch (const YamlError& e) {
    *error = error_at(name, e.mark, e.message);
    return false;
  } catch (const YAML::Exception& e) {
    *error = error_at(name, e.mark, one_line("YAML syntax error: " + e.msg));
    return false;
  }
  return true;
}

bool read_yaml_file(const std::string& path, std::string_view kind, std::string* text,
                    Diagnostic* error) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  *error = error_at(path, YAML::Mark::null_mark(), "");
  if (ec) {
    error->message = fmt::format("cannot read {}: {}", kind, ec.message());
    return false;
  }
  if (size > kMaxYamlFileBytes) {
    error->message = too_large(kind, size);
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  text->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) {
    error->message = fmt::format("cannot read {}", kind);
    return false;
  }
  return true;
}

}  // namespace gorleak
