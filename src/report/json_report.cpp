#include "report/json_report.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "model/spawn_edges.h"
#include "report/fingerprint.h"

namespace gorleak {

namespace {

void wait_object(JsonWriter& w, int64_t min_wait, int64_t max_wait) {
  w.key("wait_minutes");
  w.begin_object();
  if (min_wait >= 0) w.field("min", min_wait); else w.null_field("min");
  if (max_wait >= 0) w.field("max", max_wait); else w.null_field("max");
  w.end_object();
}

void optional_string(JsonWriter& w, std::string_view key, std::string_view s) {
  if (s.empty()) w.null_field(key); else w.field(key, s);
}

std::string_view diagnostic_severity(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    default: return "note";
  }
}

}  // namespace

void write_json_frames(JsonWriter& w, const Stack& stack, const Catalog& catalog) {
  w.begin_array();
  for (const Frame& f : stack.frames) {
    w.begin_object();
    w.field("func", catalog.str(f.func));
    w.field("file", catalog.str(f.file));
    w.field("line", f.line);
    w.end_object();
  }
  w.end_array();
}

void write_json_elided(JsonWriter& w, const Stack& stack) {
  if (stack.elided_count == 0) {
    w.null();
    return;
  }
  w.begin_object();
  w.field("after_frame", stack.elided_at);
  if (stack.elided_count > 0) w.field("count", stack.elided_count);
  else w.null_field("count");
  w.end_object();
}

void write_json_site(JsonWriter& w, const Catalog& catalog, StrId func, StrId file,
                     uint32_t line) {
  if (func == 0) {
    w.null();
    return;
  }
  w.begin_object();
  w.field("func", catalog.str(func));
  w.field("file", catalog.str(file));
  w.field("line", line);
  w.end_object();
}

void write_json_group_fields(JsonWriter& w, const Snapshot& snap, uint32_t gi,
                             const Catalog& catalog, const StackFacts& facts,
                             const JsonStackTable* stacks, std::span<const SpawnEdge> edges) {
  const Group& g = snap.groups[gi];
  const Stack& stack = catalog.stacks.get(g.stack);
  w.field("index", gi);
  w.field("count", g.count);
  std::string_view state = catalog.str(g.state);
  // debug=1 prints no state: fall back to the category so "state" is never empty.
  w.field("state", state.empty() ? category_name(g.category) : state);
  w.field("category", category_name(g.category));
  w.field("state_inferred", g.state_inferred);
  wait_object(w, g.min_wait, g.max_wait);
  w.field("leaked", g.leaked);
  w.field("locked_to_thread", g.locked_to_thread);
  w.field("first_line", g.first_line);
  w.key("samples");
  w.begin_array();
  for (uint64_t id : g.sample_ids) w.value(id);
  w.end_array();
  optional_string(w, "labels", g.labels);

  int user = facts.user_frame(g.stack);
  w.key("site");
  if (user >= 0) {
    const Frame& f = stack.frames[static_cast<size_t>(user)];
    write_json_site(w, catalog, f.func, f.file, f.line);
  } else {
    w.null();
  }
  if (stacks != nullptr) {
    w.field("stack", stacks->id(g.stack));
  } else {
    w.key("frames");
    write_json_frames(w, stack, catalog);
    w.key("elided");
    write_json_elided(w, stack);
  }

  w.key("created_by");
  if (!stack.created_by.present()) {
    w.null();
  } else {
    uint32_t line = stack.created_by.line;
    if (line == 0 && !edges.empty()) line = edges.front().line;
    w.begin_object();
    w.field("func", catalog.str(stack.created_by.func));
    w.field("file", catalog.str(stack.created_by.file));
    w.field("line", line);
    w.key("parents");
    w.begin_array();
    for (const SpawnEdge& edge : edges) {
      if (!edge.has_parent) continue;
      w.begin_object();
      w.field("id", edge.parent_id);
      w.field("count", edge.count);
      auto sp = std::lower_bound(snap.spawners.begin(), snap.spawners.end(), edge.parent_id,
                                 [](const SpawnerInfo& s, uint64_t v) { return s.id < v; });
      if (sp != snap.spawners.end() && sp->id == edge.parent_id)
        w.field("group", sp->group);
      else
        w.null_field("group");
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
}

void write_json_group(JsonWriter& w, const Snapshot& snap, uint32_t gi, const Catalog& catalog,
                      const JsonStackTable& stacks, std::span<const SpawnEdge> edges) {
  w.begin_object();
  write_json_group_fields(w, snap, gi, catalog, stacks.facts(), &stacks, edges);
  w.end_object();
}

void write_json_finding_fields(JsonWriter& w, const Finding& f, const Catalog& catalog,
                               const Snapshot* snapshot) {
  w.field("rule", f.rule);
  w.field("title", f.title);
  w.field("severity", severity_name(f.severity));
  // 0 info … 4 critical, for sorting and thresholds in jq and dashboards.
  w.field("severity_rank", static_cast<int>(f.severity));
  w.field("confidence", confidence_name(f.confidence));
  w.field("count", f.count);
  w.field("state", f.state);
  w.field("category", category_name(f.category));
  wait_object(w, f.min_wait, f.max_wait);
  w.key("site");
  write_json_site(w, catalog, f.site.func, f.site.file, f.site.line);
  w.field("site_in_stdlib", f.site_in_stdlib);
  w.key("blocking");
  write_json_site(w, catalog, f.blocking.func, f.blocking.file, f.blocking.line);
  w.key("created_by");
  write_json_site(w, catalog, f.created_by.func, f.created_by.file, f.created_by.line);
  w.key("groups");
  w.begin_array();
  for (uint32_t g : f.groups) w.value(g);
  w.end_array();
  w.field("evidence", f.evidence);
  w.field("description", f.description);
  w.field("fix", f.fix);
  w.field("growth_confirmed", f.growth_confirmed);
  w.field("rule_severity", severity_name(f.rule_severity));
  w.field("evidence_level", evidence_level_name(f.evidence_level));
  w.field("evidence_basis", f.evidence_basis);
  w.field("units", f.units);
  if (f.unit.empty()) w.null_field("unit");
  else w.field("unit", f.unit);
  w.key("library");
  write_json_site(w, catalog, f.library.func, f.library.file, f.library.line);
  optional_string(w, "cause", f.cause);
  if (f.cause_finding >= 0) w.field("cause_finding", f.cause_finding);
  else w.null_field("cause_finding");
  // Set by classify_all (cli/rule_options.h); else computed here.
  if (!f.fingerprint.empty()) w.field("fingerprint", f.fingerprint);
  else if (snapshot != nullptr) w.field("fingerprint", finding_fingerprint(f, *snapshot, catalog));
  else w.null_field("fingerprint");
}

void write_json_finding(JsonWriter& w, const Finding& f, const Catalog& catalog,
                        const Snapshot* snapshot) {
  w.begin_object();
  write_json_finding_fields(w, f, catalog, snapshot);
  w.end_object();
}

void write_json_snapshot(JsonWriter& w, const Snapshot& snap, const Catalog& catalog,
                         const std::vector<uint32_t>& shown, const JsonStackTable& stacks) {
  w.begin_object();
  w.field("source", snap.source);
  w.field("form", form_name(snap.form));
  w.field("first_line", snap.first_line);
  w.field("last_line", snap.last_line);
  w.field("repeats", snap.repeats);
  if (snap.repeats > 0) w.field("last_repeat_line", snap.last_repeat_line);
  else w.null_field("last_repeat_line");
  optional_string(w, "cause", snap.cause);
  w.key("go_version");
  if (!snap.go_version.known()) {
    w.null();
  } else {
    w.begin_object();
    auto version = [&](std::string_view key, uint32_t minor) {
      if (minor == 0) w.null_field(key);
      else w.field(key, fmt::format("1.{}", minor));
    };
    version("min", snap.go_version.min_minor);
    version("max", snap.go_version.max_minor);
    optional_string(w, "basis", snap.go_version.basis);
    w.end_object();
  }
  w.field("leak_report", leak_report_name(snap.leak_report));
  w.field("total", snap.total);
  if (snap.declared_total) w.field("declared_total", *snap.declared_total);
  else w.null_field("declared_total");
  w.field("leaked", snap.leaked);
  w.field("skipped_lines", snap.skipped_lines);
  w.field("truncated", snap.truncated);
  w.key("states");
  w.begin_object();
  for (size_t c = 0; c < kStateCategoryCount; ++c)
    w.field(category_name(static_cast<StateCategory>(c)), snap.states[c]);
  w.end_object();
  w.field("group_count", snap.groups.size());

  w.key("groups");
  w.begin_array();
  if (!shown.empty()) {
    SpawnEdgeIndex edges(snap);
    for (uint32_t gi : shown) write_json_group(w, snap, gi, catalog, stacks, edges.of(gi));
  }
  w.end_array();

  w.key("findings");
  w.begin_array();
  for (const Finding& f : snap.findings) write_json_finding(w, f, catalog, &snap);
  w.end_array();
  w.field("suppressed_findings", snap.suppressed_findings);

  w.key("diagnostics");
  w.begin_array();
  for (const Diagnostic& d : snap.diagnostics) {
    w.begin_object();
    w.field("severity", diagnostic_severity(d.severity));
    w.field("line", d.line);
    w.field("message", d.message);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

namespace {

// The JSON report behind the SnapshotWriter interface. The groups are
// chosen (by the driver) before anything is written, so that the stack
// table, written first, holds exactly the stacks they show: a reader
// streaming the document knows every stack before the first group refers
// to one. Then each snapshot streams out as it is written.
class JsonReportWriter final : public SnapshotWriter {
 public:
  void begin(const ReportInput& in, ReportOutput& out) override {
    stacks_ = std::make_unique<JsonStackTable>(in.stacks);
    for (size_t i = 0; i < in.snapshots.size(); ++i)
      for (uint32_t gi : in.selections[i].shown) stacks_->add(in.snapshots[i].groups[gi].stack);
    w_ = std::make_unique<JsonWriter>(out.string());
    w_->set_sink(out.sink());
    w_->begin_object();
    w_->field("schema_version", kJsonSchemaVersion);
    w_->key("stacks");
    stacks_->write(*w_);
    w_->key("snapshots");
    w_->begin_array();
  }
  void snapshot(const ReportInput& in, size_t i, ReportOutput&) override {
    write_json_snapshot(*w_, in.snapshots[i], in.catalog, in.selections[i].shown, *stacks_);
  }
  void end(const ReportInput&, ReportOutput& out) override {
    w_->end_array();
    w_->end_object();
    w_->finish();
    if (w_->write_failed()) out.note_failed();
    w_.reset();
  }

 private:
  std::unique_ptr<JsonStackTable> stacks_;
  std::unique_ptr<JsonWriter> w_;
};

}  // namespace

std::unique_ptr<SnapshotWriter> make_json_writer() { return std::make_unique<JsonReportWriter>(); }

void write_json_report(const std::vector<Snapshot>& snapshots, const Catalog& catalog,
                       const ReportOptions& options, const GroupFilter& filter,
                       std::string* out, std::FILE* sink) {
  // JSON shows every group unless --top asks otherwise; "index" keeps each
  // group's position in the full list, which findings refer to.
  ReportOutput output(out, sink);
  ReportInput in(snapshots, catalog, options, filter, 0);
  JsonReportWriter writer;
  write_snapshots(writer, in, output);
}

}  // namespace gorleak
