#include "suppress/suppression_file.h"

#include <charconv>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "read/yaml_tree.h"

namespace gorleak {

namespace {

constexpr std::string_view kKind = "suppression file";

bool is_fingerprint(std::string_view s) {
  if (s.size() != 16) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Suppression read_entry(const YNode& n, const std::string& file) {
  MapReader m(n, "a 'suppressions' entry",
              {"fingerprint", "rule", "site", "reason", "expires", "count", "location"});
  Suppression s;
  s.file = file;
  s.line = static_cast<uint64_t>(n.Mark().line + 1);
  s.column = static_cast<uint32_t>(n.Mark().column + 1);
  if (const YNode* f = m.get("fingerprint")) {
    s.fingerprint = as_string(*f, "fingerprint");
    if (!is_fingerprint(s.fingerprint))
      fail(f->Mark(), fmt::format("'fingerprint' must be 16 lower-case hex digits, got '{}'",
                                  s.fingerprint));
  }
  if (const YNode* r = m.get("rule")) s.rule = as_string(*r, "rule");
  if (const YNode* st = m.get("site")) s.site = as_string(*st, "site");
  if (s.fingerprint.empty() && (s.rule.empty() || s.site.empty()))
    fail(n.Mark(), "an entry needs a 'fingerprint', or both 'rule' and 'site'");
  if (const YNode* r = m.get("reason")) s.reason = as_text(*r, "reason");
  if (const YNode* e = m.get("expires")) {
    std::chrono::year_month_day d;
    std::string text = as_string(*e, "expires");
    if (!parse_date(text, &d))
      fail(e->Mark(), fmt::format("'expires' must be a date YYYY-MM-DD, got '{}'", text));
    s.expires = d;
  }
  if (const YNode* c = m.get("count")) s.count = as_uint(*c, "count");
  if (const YNode* l = m.get("location")) s.location = as_string(*l, "location");
  return s;
}

}  // namespace

bool parse_date(std::string_view t, std::chrono::year_month_day* out) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  auto number = [&](size_t at, size_t len, int* v) {
    auto [p, ec] = std::from_chars(t.data() + at, t.data() + at + len, *v);
    return ec == std::errc() && p == t.data() + at + len;
  };
  int y = 0, m = 0, d = 0;
  if (!number(0, 4, &y) || !number(5, 2, &m) || !number(8, 2, &d)) return false;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  *out = ymd;
  return true;
}

std::string format_date(const std::chrono::year_month_day& d) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

std::chrono::year_month_day today_utc() {
  return std::chrono::year_month_day{
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

bool parse_suppression_text(std::string_view text, const std::string& name, SuppressionFile* out,
                            Diagnostic* error) {
  out->path = name;
  out->entries.clear();
  bool ok = read_yaml(text, name, kKind, [&](const YNode& root) {
    if (root.IsNull()) return;  // an empty file accepts nothing
    MapReader top(root, "the file", {"version", "suppressions"});
    if (const YNode* v = top.get("version")) {
      uint64_t version = as_uint(*v, "version");
      if (version != kSuppressionFileVersion)
        fail(v->Mark(), fmt::format("unsupported version {} (this gorleak reads version {})",
                                    version, kSuppressionFileVersion));
    }
    const YNode& list = top.require("suppressions", "the file");
    if (list.IsNull()) return;
    if (!list.IsSequence())
      fail(list.Mark(), fmt::format("'suppressions' must be a list, got {}", kind_name(list)));
    for (const YNode& e : list) out->entries.push_back(read_entry(e, name));
  }, error);
  if (!ok) out->entries.clear();
  return ok;
}

bool load_suppression_file(const std::string& path, SuppressionFile* out, Diagnostic* error) {
  std::string text;
  if (!read_yaml_file(path, kKind, &text, error)) return false;
  return parse_suppression_text(text, path, out, error);
}

std::string baseline_yaml(const std::vector<Suppression>& entries, std::string_view comment) {
  YAML::Emitter e;
  e << YAML::Comment(std::string(comment)) << YAML::Newline;
  e << YAML::BeginMap;
  e << YAML::Key << "version" << YAML::Value << kSuppressionFileVersion;
  e << YAML::Key << "suppressions" << YAML::Value;
  if (entries.empty()) e << YAML::Flow;
  e << YAML::BeginSeq;
  for (const Suppression& s : entries) {
    e << YAML::BeginMap;
    if (!s.fingerprint.empty()) e << YAML::Key << "fingerprint" << YAML::Value << s.fingerprint;
    if (!s.rule.empty()) e << YAML::Key << "rule" << YAML::Value << s.rule;
    if (!s.site.empty()) e << YAML::Key << "site" << YAML::Value << s.site;
    if (!s.reason.empty()) e << YAML::Key << "reason" << YAML::Value << s.reason;
    if (s.expires) e << YAML::Key << "expires" << YAML::Value << format_date(*s.expires);
    if (s.count) e << YAML::Key << "count" << YAML::Value << s.count;
    if (!s.location.empty()) e << YAML::Key << "location" << YAML::Value << s.location;
    e << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace gorleak
