// Reading the small YAML files gorleak is configured with (rule files,
// suppression files, .gorleak.yaml) through yaml-cpp, the same way for all
// of them: a whole file into a tree that keeps every node's line and column,
// so that any problem becomes one `file:line:col: message` Diagnostic.
//
// What it refuses, before anything is built from it: anchors and aliases
// (a few lines can expand into a huge tree: "billion laughs"), nesting
// deeper than kMaxYamlDepth, more than one document, and files larger than
// kMaxYamlFileBytes. A reader walks the tree with MapReader and the as_*
// converters, which throw YamlError; read_yaml() catches it (and yaml-cpp's
// own exceptions) and returns the Diagnostic, so no exception leaves here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/mark.h>
#include <yaml-cpp/node/type.h>

#include "model/diagnostic.h"

namespace gorleak {

inline constexpr size_t kMaxYamlFileBytes = 4u << 20;  // 4 MiB
inline constexpr int kMaxYamlDepth = 32;                // nested maps/lists

// One node of the parsed document, with its mark (0-based line and column).
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

// Thrown by fail() and the readers below; read_yaml() turns it into a
// Diagnostic. Never crosses read_yaml().
struct YamlError {
  YAML::Mark mark;
  std::string message;
};
[[noreturn]] void fail(const YAML::Mark& mark, std::string message);

// Messages quote the user's keys and values, which may hold line breaks or
// other control characters: escaped here so a diagnostic stays one line.
std::string one_line(std::string message);

std::string_view kind_name(const YNode& n);  // "a map", "a list", …

// Walks one map, rejecting unknown and repeated keys (naming the known
// ones), and hands each known key's value to the caller.
class MapReader {
 public:
  MapReader(const YNode& node, std::string_view what,
            std::initializer_list<std::string_view> known);
  const YNode* get(std::string_view key) const;
  const YNode& require(std::string_view key, std::string_view what) const;

 private:
  const YNode& node_;
  std::vector<std::pair<std::string, YNode>> entries_;
};

std::string as_string(const YNode& n, std::string_view field);
uint64_t as_uint(const YNode& n, std::string_view field);
bool as_bool(const YNode& n, std::string_view field);
// A scalar or a list of scalars.
std::vector<std::string> as_string_list(const YNode& n, std::string_view field);
// An RE2 pattern, checked here so the message points at the scalar and
// carries RE2's own explanation.
std::string as_regex(const YNode& n, std::string_view field);
// Prose: YAML block scalars (`|`) end with a newline nobody wants.
std::string as_text(const YNode& n, std::string_view field);

// An error Diagnostic at a yaml-cpp mark (0-based; a null mark means no
// position).
Diagnostic error_at(const std::string& file, const YAML::Mark& mark, std::string message);

// Parses the one document of `text` and calls read(root) (root is Null for
// an empty document). `kind` names the file in messages ("rule file").
// Returns false with *error set on any problem, in parsing or in `read`.
bool read_yaml(std::string_view text, const std::string& name, std::string_view kind,
               const std::function<void(const YNode& root)>& read, Diagnostic* error);

// Reads a whole file of at most kMaxYamlFileBytes into *text.
bool read_yaml_file(const std::string& path, std::string_view kind, std::string* text,
                    Diagnostic* error);

}  // namespace gorleak
