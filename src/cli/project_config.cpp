#include "cli/project_config.h"

#include <fmt/format.h>

#include "model/finding.h"
#include "read/yaml_tree.h"

namespace gorleak::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kKind = "config file";

// Paths in the file are relative to the file, not to where gorleak runs.
std::vector<std::string> paths_list(const YNode& n, std::string_view field, const fs::path& dir) {
  std::vector<std::string> out = as_string_list(n, field);
  for (std::string& p : out)
    if (!p.empty() && fs::path(p).is_relative()) p = (dir / p).lexically_normal().string();
  return out;
}

std::string severity_field(const YNode& n, std::string_view field) {
  std::string s = as_string(n, field);
  RuleSeverity sev;
  if (!severity_from_name(s, &sev))
    fail(n.Mark(), fmt::format("'{}' must be a severity (info, low, medium, high, critical), got '{}'",
                               field, s));
  return s;
}

// True when the command line gave the option (not its default).
bool given(const po::variables_map& vm, const char* name) {
  auto it = vm.find(name);
  return it != vm.end() && !it->second.defaulted();
}

template <typename T>
void fill(const po::variables_map& vm, const char* name, const T& from, T* to) {
  if (!given(vm, name) && !from.empty()) *to = from;
}

}  // namespace

void add_config_options(po::options_description& desc, ConfigOptions* o) {
  desc.add_options()
      ("config", po::value<std::string>(&o->path)->value_name("FILE"),
       "read project defaults from FILE instead of the nearest .gorleak.yaml (docs/config.md)")
      ("no-config", po::bool_switch(&o->none), "do not read any .gorleak.yaml");
}

std::string find_project_config(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) return {};
  for (;;) {
    fs::path candidate = dir / kProjectConfigName;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) return {};
    dir = dir.parent_path();
  }
}

bool load_project_config(const std::string& path, ProjectConfig* out, Diagnostic* error) {
  std::string text;
  if (!read_yaml_file(path, kKind, &text, error)) return false;
  *out = ProjectConfig{};
  out->path = path;
  fs::path dir = fs::path(path).parent_path();
  return read_yaml(text, path, kKind, [&](const YNode& root) {
    if (root.IsNull()) return;
    MapReader m(root, "the file",
                {"modules", "rules", "disable", "ignore", "source_roots", "baseline", "fail_on",
                 "min_severity"});
    if (const YNode* n = m.get("modules")) out->modules = as_string_list(*n, "modules");
    if (const YNode* n = m.get("rules")) out->rules = paths_list(*n, "rules", dir);
    if (const YNode* n = m.get("disable")) out->disable = as_string_list(*n, "disable");
    if (const YNode* n = m.get("ignore")) {
      MapReader im(*n, "'ignore'", {"top", "any", "created_by"});
      if (const YNode* t = im.get("top")) out->ignore_top = as_string_list(*t, "top");
      if (const YNode* a = im.get("any")) out->ignore_any = as_string_list(*a, "any");
      if (const YNode* c = im.get("created_by"))
        out->ignore_created_by = as_string_list(*c, "created_by");
    }
    if (const YNode* n = m.get("source_roots"))
      out->source_roots = paths_list(*n, "source_roots", dir);
    if (const YNode* n = m.get("baseline")) out->baselines = paths_list(*n, "baseline", dir);
    if (const YNode* n = m.get("fail_on")) out->fail_on = severity_field(*n, "fail_on");
    if (const YNode* n = m.get("min_severity"))
      out->min_severity = severity_field(*n, "min_severity");
  }, error);
}

bool apply_project_config(const ConfigOptions& config, const po::variables_map& vm,
                          RuleOptions* rules, OutputOptions* output) {
  if (config.none) return true;
  std::string path = config.path.empty() ? find_project_config(fs::current_path()) : config.path;
  if (path.empty()) return true;
  ProjectConfig c;
  Diagnostic error;
  if (!load_project_config(path, &c, &error)) {
    print_error(error.format());
    return false;
  }
  fill(vm, "module", c.modules, &output->modules);
  fill(vm, "rules", c.rules, &rules->rule_paths);
  fill(vm, "disable", c.disable, &rules->disabled);
  fill(vm, "ignore-top", c.ignore_top, &rules->ignore_top);
  fill(vm, "ignore-any", c.ignore_any, &rules->ignore_any);
  fill(vm, "ignore-created-by", c.ignore_created_by, &rules->ignore_created_by);
  fill(vm, "source-root", c.source_roots, &rules->source_roots);
  fill(vm, "baseline", c.baselines, &rules->baselines);
  fill(vm, "fail-on", c.fail_on, &rules->fail_on);
  fill(vm, "min-severity", c.min_severity, &output->min_severity);
  return true;
}

}  // namespace gorleak::cli
