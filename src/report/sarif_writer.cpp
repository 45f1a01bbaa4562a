#include "report/sarif_writer.h"

#include <filesystem>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "classify/source_lookup.h"
#include "diff/snapshot_diff.h"
#include "report/diff_report.h"
#include "report/fingerprint.h"
#include "report/json_writer.h"
#include "report/text_style.h"

#ifndef GORLEAK_HOMEPAGE
#define GORLEAK_HOMEPAGE "https://github.com/gorleak/gorleak"
#endif

namespace gorleak {

std::string uri_escape(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                std::string_view("-._~/!$&'()*+,;=:@").find(ch) != std::string_view::npos;
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

namespace {

std::string_view sarif_level(RuleSeverity s) {
  switch (s) {
    case RuleSeverity::kCritical:
    case RuleSeverity::kHigh: return "error";
    case RuleSeverity::kMedium: return "warning";
    default: return "note";
  }
}

// GitHub's name for the same three levels, shown as the alert's severity.
std::string_view problem_severity(RuleSeverity s) {
  switch (s) {
    case RuleSeverity::kCritical:
    case RuleSeverity::kHigh: return "error";
    case RuleSeverity::kMedium: return "warning";
    default: return "recommendation";
  }
}

// "chan-send-blocked" → "ChanSendBlocked" (SARIF's rule `name`).
std::string pascal_name(std::string_view id) {
  std::string out;
  bool up = true;
  for (char ch : id) {
    bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    if (!alnum) {
      up = true;
      continue;
    }
    out += up && ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch;
    up = false;
  }
  return out;
}

std::string file_uri(std::string_view absolute) {
  std::string p(absolute);
  for (char& ch : p)
    if (ch == '\\') ch = '/';
  // "C:/Users/…" (a dump from Windows) → file:///C:/Users/…
  if (p.size() >= 2 && p[1] == ':') return "file:///" + uri_escape(p);
  return "file://" + uri_escape(p);
}

// Where the dump's file paths are in the checkout (see the header).
class ArtifactPaths {
 public:
  explicit ArtifactPaths(const ReportOptions& o) : modules_(o.modules), lookup_(roots_of(o)) {
    for (const std::string& r : lookup_.roots()) {
      std::error_code ec;
      std::filesystem::path abs = std::filesystem::absolute(r, ec);
      std::string s = (ec ? std::filesystem::path(r) : abs.lexically_normal()).generic_string();
      if (s.empty() || s.back() != '/') s += '/';
      base_uris_.push_back(file_uri(s));
    }
  }

  struct Artifact {
    std::string uri;
    std::string base;  // uriBaseId, "" for none
  };

  const Artifact& locate(std::string_view dump_path) {
    auto [it, fresh] = memo_.try_emplace(std::string(dump_path));
    if (!fresh) return it->second;
    Artifact& a = it->second;
    SourceLookup::Located at;
    if (lookup_.locate(dump_path, &at)) {
      a.uri = uri_escape(at.relative);
      a.base = base_id(at.root);
    } else if (!dump_path.empty() &&
               (dump_path.front() == '/' || (dump_path.size() >= 2 && dump_path[1] == ':'))) {
      a.uri = file_uri(dump_path);
    } else {
      std::string_view rel = dump_path;
      for (const std::string& m : modules_) {
        if (rel.size() > m.size() && rel.substr(0, m.size()) == m && rel[m.size()] == '/') {
          rel.remove_prefix(m.size() + 1);
          break;
        }
      }
      a.uri = uri_escape(rel);
    }
    return a;
  }

  void write_base_ids(JsonWriter& w) const {
    w.key("originalUriBaseIds");
    w.begin_object();
    for (size_t i = 0; i < base_uris_.size(); ++i) {
      w.key(base_id(i));
      w.begin_object();
      w.field("uri", base_uris_[i]);
      w.end_object();
    }
    w.end_object();
  }

 private:
  // --source-root, else the checkout: the git top level above the current
  // directory, or the current directory itself.
  static std::vector<std::string> roots_of(const ReportOptions& o) {
    if (!o.source_roots.empty()) return o.source_roots;
    std::vector<std::string> guessed = default_source_roots();
    if (guessed.empty()) return {"."};
    return {guessed.back()};
  }
  static std::string base_id(size_t root) {
    return root == 0 ? std::string("SRCROOT") : fmt::format("SRCROOT{}", root + 1);
  }

  std::vector<std::string> modules_;
  SourceLookup lookup_;
  std::vector<std::string> base_uris_;
  std::unordered_map<std::string, Artifact> memo_;
};

// Every loaded rule, then any rule a finding names that was not loaded
// (a report read back, a test): ruleIndex points into this list.
struct RuleTable {
  std::vector<RuleInfo> rules;
  std::unordered_map<std::string, size_t> index;

  void add(RuleInfo r) {
    if (index.count(r.id)) return;
    index.emplace(r.id, rules.size());
    rules.push_back(std::move(r));
  }
  void add(const Finding& f) {
    if (index.count(f.rule)) return;
    add(RuleInfo{f.rule, f.title, f.description, f.fix, f.rule_severity, "", false});
  }
};

std::string help_uri(const RuleInfo& r) {
  std::string file = std::filesystem::path(r.file).filename().string();
  if (r.builtin || r.file.empty())
    return fmt::format("{}/blob/main/rules/{}", GORLEAK_HOMEPAGE,
                       file.empty() ? std::string("README.md") : uri_escape(file));
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(r.file, ec);
  return file_uri(ec ? r.file : abs.lexically_normal().generic_string());
}

// One SARIF log with one run, written as it goes: the header and rules,
// then results as the caller hands them over, then the run's properties.
class SarifDocument {
 public:
  SarifDocument(ReportOutput& out, const ReportOptions& options, RuleTable rules)
      : out_(out), paths_(options), rules_(std::move(rules)), w_(out.string()) {
    w_.set_sink(out.sink());
  }

  void begin() {
    w_.begin_object();
    w_.field("$schema", kSarifSchema);
    w_.field("version", kSarifVersion);
    w_.key("runs");
    w_.begin_array();
    w_.begin_object();
    w_.key("tool");
    w_.begin_object();
    w_.key("driver");
    w_.begin_object();
    w_.field("name", "gorleak");
    w_.field("version", GORLEAK_VERSION);
    w_.field("semanticVersion", GORLEAK_VERSION);
    w_.field("informationUri", GORLEAK_HOMEPAGE);
    w_.key("rules");
    w_.begin_array();
    for (const RuleInfo& r : rules_.rules) write_rule(r);
    w_.end_array();
    w_.end_object();
    w_.end_object();
    paths_.write_base_ids(w_);
    w_.field("columnKind", "unicodeCodePoints");
    w_.key("results");
    w_.begin_array();
  }

  void result(const Finding& f, const Snapshot& snap, const Catalog& c, size_t snapshot_index,
              std::string_view growth) {
    w_.begin_object();
    w_.field("ruleId", f.rule);
    w_.field("ruleIndex", rules_.index.at(f.rule));
    w_.field("level", sarif_level(f.severity));
    w_.key("message");
    w_.begin_object();
    std::string text = fmt::format("{}: {}", f.title, finding_count_text(f));
    if (!f.state.empty()) text += fmt::format(" in [{}]", f.state);
    if (!growth.empty()) text += fmt::format(", {}", growth);
    text += ".";
    if (!f.evidence.empty()) text += fmt::format(" {}", f.evidence);
    w_.field("text", text);
    w_.end_object();

    w_.key("locations");
    w_.begin_array();
    location(f.site, c, 0, {});
    w_.end_array();
    std::vector<std::pair<const SourceSite*, std::string_view>> related;
    auto same = [](const SourceSite& a, const SourceSite& b) {
      return a.func == b.func && a.file == b.file && a.line == b.line;
    };
    if (f.blocking.func != 0 && !same(f.blocking, f.site))
      related.emplace_back(&f.blocking, "the goroutines block here");
    if (f.library.func != 0) related.emplace_back(&f.library, "inside this library call");
    if (f.created_by.func != 0) related.emplace_back(&f.created_by, "the goroutines are created here");
    if (!related.empty()) {
      w_.key("relatedLocations");
      w_.begin_array();
      for (size_t i = 0; i < related.size(); ++i)
        location(*related[i].first, c, i + 1, related[i].second);
      w_.end_array();
    }
    w_.key("partialFingerprints");
    w_.begin_object();
    w_.field(kSarifFingerprintKey, finding_fingerprint(f, snap, c));
    w_.end_object();

    w_.key("properties");
    w_.begin_object();
    w_.field("severity", severity_name(f.severity));
    w_.field("severity_rank", static_cast<int>(f.severity));
    w_.field("rule_severity", severity_name(f.rule_severity));
    w_.field("confidence", confidence_name(f.confidence));
    w_.field("evidence_level", evidence_level_name(f.evidence_level));
    if (!f.evidence_basis.empty()) w_.field("evidence_basis", f.evidence_basis);
    w_.field("count", f.count);
    if (f.units > 0 && !f.unit.empty()) {
      w_.field("units", f.units);
      w_.field("unit", f.unit);
    }
    w_.field("state", f.state);
    w_.field("growth_confirmed", f.growth_confirmed);
    if (!f.cause.empty()) w_.field("cause", f.cause);
    w_.field("dump", snap.source);
    w_.field("snapshot", snapshot_index);
    w_.end_object();
    w_.end_object();
    out_.flush_if_due();
  }

  // Closes the results and the run; `properties` writes the run's
  // properties object's fields.
  template <typename F>
  void end(F&& properties) {
    w_.end_array();
    w_.key("properties");
    w_.begin_object();
    properties(w_);
    w_.end_object();
    w_.end_object();
    w_.end_array();
    w_.end_object();
    w_.finish();
    if (w_.write_failed()) out_.note_failed();
  }

 private:
  void write_rule(const RuleInfo& r) {
    w_.begin_object();
    w_.field("id", r.id);
    w_.field("name", pascal_name(r.id));
    auto message = [&](std::string_view key, std::string_view text) {
      if (text.empty()) return;
      w_.key(key);
      w_.begin_object();
      w_.field("text", text);
      w_.end_object();
    };
    message("shortDescription", r.title);
    message("fullDescription", r.description);
    if (!r.fix.empty()) {
      w_.key("help");
      w_.begin_object();
      w_.field("text", r.fix);
      w_.field("markdown", r.fix);
      w_.end_object();
    }
    w_.field("helpUri", help_uri(r));
    w_.key("defaultConfiguration");
    w_.begin_object();
    w_.field("level", sarif_level(r.severity));
    w_.end_object();
    w_.key("properties");
    w_.begin_object();
    w_.key("tags");
    w_.begin_array();
    w_.value("goroutine-leak");
    w_.value("reliability");
    w_.end_array();
    w_.field("problem.severity", problem_severity(r.severity));
    w_.end_object();
    w_.end_object();
  }

  // A location: file + line when the file is known, and the function.
  void location(const SourceSite& s, const Catalog& c, size_t id, std::string_view message) {
    w_.begin_object();
    if (id > 0) w_.field("id", id);
    if (s.file != 0 && !c.str(s.file).empty()) {
      const ArtifactPaths::Artifact& a = paths_.locate(c.str(s.file));
      w_.key("physicalLocation");
      w_.begin_object();
      w_.key("artifactLocation");
      w_.begin_object();
      w_.field("uri", a.uri);
      if (!a.base.empty()) w_.field("uriBaseId", a.base);
      w_.end_object();
      if (s.line > 0) {
        w_.key("region");
        w_.begin_object();
        w_.field("startLine", s.line);
        w_.end_object();
      }
      w_.end_object();
    }
    if (s.func != 0) {
      w_.key("logicalLocations");
      w_.begin_array();
      w_.begin_object();
      w_.field("fullyQualifiedName", c.str(s.func));
      w_.field("kind", "function");
      w_.end_object();
      w_.end_array();
    }
    if (!message.empty()) {
      w_.key("message");
      w_.begin_object();
      w_.field("text", message);
      w_.end_object();
    }
    w_.end_object();
  }

  ReportOutput& out_;
  ArtifactPaths paths_;
  RuleTable rules_;
  JsonWriter w_;
};

RuleTable rules_for(const ReportContext& context) {
  RuleTable t;
  for (const RuleInfo& r : context.rules) t.add(r);
  return t;
}

void dump_property(JsonWriter& w, const Snapshot& s) {
  w.begin_object();
  w.field("source", s.source);
  w.field("form", form_name(s.form));
  w.field("total", s.total);
  w.field("leaked", s.leaked);
  w.field("truncated", s.truncated);
  w.end_object();
}

class SarifWriter final : public SnapshotWriter {
 public:
  void begin(const ReportInput& in, ReportOutput& out) override {
    RuleTable rules = rules_for(in.context);
    for (const Snapshot& s : in.snapshots)
      for (const Finding& f : s.findings) rules.add(f);
    doc_ = std::make_unique<SarifDocument>(out, in.options, std::move(rules));
    doc_->begin();
  }
  void snapshot(const ReportInput& in, size_t i, ReportOutput&) override {
    const Snapshot& s = in.snapshots[i];
    for (const Finding& f : s.findings) doc_->result(f, s, in.catalog, i, {});
  }
  void end(const ReportInput& in, ReportOutput&) override {
    doc_->end([&](JsonWriter& w) {
      w.key("dumps");
      w.begin_array();
      for (const Snapshot& s : in.snapshots) dump_property(w, s);
      w.end_array();
    });
    doc_.reset();
  }

 private:
  std::unique_ptr<SarifDocument> doc_;
};

}  // namespace

std::unique_ptr<SnapshotWriter> make_sarif_writer() { return std::make_unique<SarifWriter>(); }

void write_sarif_diff(const DiffInput& in, ReportOutput& out) {
  const DiffReport& r = in.report;
  const SnapshotDiff& d = *r.diff;
  const DiffDump& focus = d.dumps[r.focus];
  RuleTable rules = rules_for(in.context);
  for (const Finding& f : r.findings) rules.add(f);
  SarifDocument doc(out, in.options, std::move(rules));
  doc.begin();
  for (const Finding& f : r.findings) {
    // The counts of the finding's groups in every dump: "grew 0 → 120 → 118".
    std::vector<uint64_t> counts(d.dumps.size(), 0);
    std::vector<uint32_t> rows;
    for (uint32_t g : f.groups) {
      if (g >= d.row_of[r.focus].size()) continue;
      uint32_t row = d.row_of[r.focus][g];
      if (std::find(rows.begin(), rows.end(), row) != rows.end()) continue;
      rows.push_back(row);
      for (size_t i = 0; i < counts.size(); ++i) counts[i] += d.rows[row].counts[i];
    }
    std::string growth;
    if (!rows.empty()) {
      for (size_t i = 0; i < counts.size(); ++i)
        growth += fmt::format("{}{}", i ? " \u2192 " : "", counts[i]);
      growth = fmt::format("{} over the dumps{}", growth,
                           f.growth_confirmed ? " (growth confirmed)" : "");
    }
    doc.result(f, *focus.snapshot, *focus.catalog, r.focus, growth);
  }
  doc.end([&](JsonWriter& w) {
    w.key("dumps");
    w.begin_array();
    for (const DiffDump& dump : d.dumps) dump_property(w, *dump.snapshot);
    w.end_array();
    w.field("verdict", diff_verdict(d));
  });
  out.flush();
}

}  // namespace gorleak
