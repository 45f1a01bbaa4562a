#include "report/heap_json_report.h"

#include <algorithm>

#include "heap/go_version.h"
#include "report/json_report.h"
#include "report/json_stacks.h"
#include "report/json_writer.h"

namespace gorleak {

namespace {

size_t shown(size_t n, size_t top) { return top == 0 ? n : std::min(n, top); }

void write_values(JsonWriter& w, const HeapValues& v) {
  w.begin_object();
  for (size_t k = 0; k < kHeapValueCount; ++k) w.field(heap_value_name(static_cast<HeapValue>(k)), v[k]);
  w.end_object();
}

void write_site(JsonWriter& w, const Catalog& c, const SourceSite& s) {
  write_json_site(w, c, s.func, s.file, s.line);
}

void write_functions(JsonWriter& w, const Catalog& c, const HeapTop& top, size_t limit) {
  w.begin_array();
  for (size_t i = 0; i < shown(top.functions.size(), limit); ++i) {
    const FunctionTotals& f = top.functions[i];
    w.begin_object();
    w.field("func", c.str(f.func));
    w.field("flat", f.flat);
    w.field("cum", f.cum);
    w.end_object();
  }
  w.end_array();
}

void write_finding(JsonWriter& w, const Catalog& c, const HeapFinding& f, const JsonStackTable& t) {
  w.begin_object();
  w.field("rule", f.rule);
  w.field("title", f.title);
  w.field("severity", severity_name(f.severity));
  w.field("confidence", confidence_name(f.confidence));
  w.key("site");
  write_site(w, c, f.site);
  w.field("site_in_stdlib", f.site_in_stdlib);
  w.key("allocated_in");
  write_site(w, c, f.allocated_in);
  w.field("value", heap_value_name(f.value));
  w.key("values");
  write_values(w, f.values);
  w.field("share", f.share);
  w.key("growth");
  if (f.has_growth) write_values(w, f.growth);
  else w.null();
  w.key("stacks");
  w.begin_array();
  for (StackId s : f.stacks) w.value(t.id(s));
  w.end_array();
  w.field("evidence", f.evidence);
  if (f.version_note.empty()) w.null_field("version_note");
  else w.field("version_note", f.version_note);
  w.field("description", f.description);
  w.field("fix", f.fix);
  w.end_object();
}

void write_go_version(JsonWriter& w, const GoVersionRange& v) {
  if (!v.known()) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("min_minor");
  if (v.min_minor) w.value(v.min_minor);
  else w.null();
  w.key("max_minor");
  if (v.max_minor) w.value(v.max_minor);
  else w.null();
  w.field("basis", v.basis);
  w.end_object();
}

void write_profile_head(JsonWriter& w, const HeapProfile& p) {
  w.field("source", p.source);
  w.field("form", heap_form_name(p.form));
  w.key("go_version");
  write_go_version(w, p.go_version);
  w.field("sampling_rate", p.sampling_rate);
  w.key("time_nanos");
  if (p.time_nanos > 0) w.value(p.time_nanos);
  else w.null();
  w.key("values_present");
  w.begin_array();
  for (size_t k = 0; k < kHeapValueCount; ++k)
    if (p.has_value[k]) w.value(heap_value_name(static_cast<HeapValue>(k)));
  w.end_array();
  w.key("diagnostics");
  w.begin_array();
  for (const Diagnostic& d : p.diagnostics) w.value(d.format());
  w.end_array();
}

HeapValues totals_of(const HeapProfile& p) {
  HeapValues t{};
  for (size_t k = 0; k < kHeapValueCount; ++k) t[k] = heap_total(p, static_cast<HeapValue>(k));
  return t;
}

}  // namespace

void write_heap_json(const HeapReport& report, const std::vector<Snapshot>& snapshots,
                     const Catalog& catalog, const HeapReportOptions& o, std::string* out) {
  StackFacts facts(catalog, o.modules);
  JsonStackTable table(facts);
  for (const HeapProfileView& v : report.profiles) {
    for (const HeapFinding& f : v.findings)
      for (StackId s : f.stacks) table.add(s);
    for (size_t i = 0; i < shown(v.top.stacks.size(), o.top); ++i) table.add(v.top.stacks[i].stack);
  }
  for (const HeapRetention& r : report.retention)
    for (StackId s : r.stacks) table.add(s);

  JsonWriter w(out);
  w.begin_object();
  w.field("schema_version", kHeapJsonSchemaVersion);
  w.field("kind", "heap");
  w.field("sample_index", heap_value_name(o.value));
  w.key("stacks");
  table.write(w);
  w.key("profiles");
  w.begin_array();
  for (const HeapProfileView& v : report.profiles) {
    const HeapProfile& p = *v.profile;
    w.begin_object();
    write_profile_head(w, p);
    w.key("totals");
    write_values(w, totals_of(p));
    w.key("gc");
    w.begin_object();
    w.field("freshness", gc_freshness_name(v.freshness));
    w.field("note", v.freshness_text);
    w.end_object();
    w.key("memstats");
    if (v.memstats.lines.empty()) {
      w.null();
    } else {
      w.begin_object();
      w.key("fields");
      w.begin_object();
      for (const MemStatsLine& l : v.memstats.lines) w.field(l.name, l.value);
      w.end_object();
      w.key("notes");
      w.begin_array();
      for (const std::string& n : v.memstats.notes) w.value(n);
      w.end_array();
      w.end_object();
    }
    w.key("findings");
    w.begin_array();
    for (const HeapFinding& f : v.findings) write_finding(w, catalog, f, table);
    w.end_array();
    w.key("functions");
    write_functions(w, catalog, v.top, o.top);
    w.field("function_count", v.top.functions.size());
    w.key("sites");
    w.begin_array();
    for (size_t i = 0; i < shown(v.top.stacks.size(), o.top); ++i) {
      const StackTotals& s = v.top.stacks[i];
      w.begin_object();
      w.field("stack", table.id(s.stack));
      w.key("values");
      write_values(w, s.values);
      w.key("object_size");
      if (s.object_size > 0) w.value(s.object_size);
      else w.null();
      w.end_object();
    }
    w.end_array();
    w.field("site_count", v.top.stacks.size());
    w.end_object();
  }
  w.end_array();
  w.key("goroutine_leaks");
  w.begin_array();
  for (const HeapRetention& r : report.retention) {
    w.begin_object();
    w.field("profile", r.profile->source);
    w.field("dump", snapshots[r.snapshot].source);
    w.key("finding");
    write_json_finding(w, snapshots[r.snapshot].findings[r.finding], catalog, &snapshots[r.snapshot]);
    w.key("holds");
    write_values(w, r.values);
    w.key("stacks");
    w.begin_array();
    for (StackId s : r.stacks) w.value(table.id(s));
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.finish();
}

void write_heap_diff_json(const HeapDiffView& v, const Catalog& catalog, const HeapReportOptions& o,
                          std::string* out) {
  const HeapDiff& d = v.diff;
  std::vector<const HeapDiffRow*> rows;
  for (const HeapDiffRow& r : d.rows)
    if (r.verdict != HeapVerdict::kSteady && (o.top == 0 || rows.size() < o.top)) rows.push_back(&r);
  StackFacts facts(catalog, o.modules);
  JsonStackTable table(facts);
  for (const HeapFinding& f : v.findings)
    for (StackId s : f.stacks) table.add(s);
  for (const HeapDiffRow* r : rows) table.add(r->stack);

  JsonWriter w(out);
  w.begin_object();
  w.field("schema_version", kHeapJsonSchemaVersion);
  w.field("kind", "heap-diff");
  w.field("sample_index", heap_value_name(v.value));
  w.field("threshold_bytes", d.threshold);
  w.key("stacks");
  table.write(w);
  w.key("profiles");
  w.begin_array();
  for (size_t i = 0; i < d.profiles.size(); ++i) {
    w.begin_object();
    write_profile_head(w, *d.profiles[i]);
    w.key("totals");
    write_values(w, d.totals[i]);
    w.end_object();
  }
  w.end_array();
  w.key("findings");
  w.begin_array();
  for (const HeapFinding& f : v.findings) write_finding(w, catalog, f, table);
  w.end_array();
  w.key("sites");
  w.begin_array();
  for (const HeapDiffRow* r : rows) {
    w.begin_object();
    w.field("stack", table.id(r->stack));
    w.field("status", heap_site_status_name(r->status));
    w.field("verdict", heap_verdict_name(r->verdict));
    w.key("values");
    w.begin_array();
    for (const HeapValues& x : r->values) write_values(w, x);
    w.end_array();
    w.key("growth");
    write_values(w, r->growth);
    w.end_object();
  }
  w.end_array();
  w.key("functions");
  write_functions(w, catalog, v.delta, o.top);
  w.field("function_count", v.delta.functions.size());
  w.end_object();
  w.finish();
}

}  // namespace gorleak
