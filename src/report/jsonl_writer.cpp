#include "report/jsonl_writer.h"

#include <ctime>

#include "diff/snapshot_diff.h"
#include "diff/trend.h"
#include "model/spawn_edges.h"
#include "report/diff_report.h"
#include "report/json_report.h"
#include "report/json_writer.h"
#include "report/trend_report.h"

namespace gorleak {

namespace {

// "2024-05-01T12:00:00Z", or null.
void time_field(JsonWriter& w, std::optional<int64_t> t) {
  if (!t) {
    w.null_field("time");
    return;
  }
  std::time_t tt = static_cast<std::time_t>(*t);
  std::tm tm{};
  char buf[32];
  if (gmtime_r(&tt, &tm) == nullptr || std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    w.null_field("time");
    return;
  }
  w.field("time", buf);
}

void dump_fields(JsonWriter& w, const Snapshot& s, size_t index,
                 const std::optional<int64_t>& time) {
  w.field("source", s.source);
  w.field("snapshot", index);
  time_field(w, time);
  w.field("form", form_name(s.form));
}

// One line per object: a JsonWriter without indentation, ended by '\n'.
template <typename F>
void line(ReportOutput& out, F&& fields) {
  {
    JsonWriter w(out.string(), 0);
    w.begin_object();
    fields(w);
    w.end_object();
  }
  out.text().push_back('\n');
  out.flush_if_due();
}

void sources_field(JsonWriter& w, const SnapshotDiff& d) {
  w.key("sources");
  w.begin_array();
  for (const DiffDump& dump : d.dumps) w.value(dump.snapshot->source);
  w.end_array();
}

class JsonlWriter final : public SnapshotWriter {
 public:
  void snapshot(const ReportInput& in, size_t si, ReportOutput& out) override {
    const Snapshot& s = in.snapshots[si];
    std::optional<int64_t> time = in.time_of(si);
    if (in.options.jsonl_groups) {
      SpawnEdgeIndex edges(s);
      for (uint32_t gi : in.selections[si].shown)
        line(out, [&](JsonWriter& w) {
          w.field("type", "group");
          dump_fields(w, s, si, time);
          write_json_group_fields(w, s, gi, in.catalog, in.stacks, nullptr, edges.of(gi));
        });
      return;
    }
    for (const Finding& f : s.findings)
      line(out, [&](JsonWriter& w) {
        w.field("type", "finding");
        dump_fields(w, s, si, time);
        write_json_finding_fields(w, f, in.catalog, &s);
      });
  }
};

}  // namespace

std::unique_ptr<SnapshotWriter> make_jsonl_writer() { return std::make_unique<JsonlWriter>(); }

void write_jsonl_diff(const DiffInput& in, ReportOutput& out) {
  const DiffReport& r = in.report;
  const SnapshotDiff& d = *r.diff;
  const DiffDump& focus = d.dumps[r.focus];
  auto time_of = [&](size_t dump) {
    return dump < in.context.times.size() ? in.context.times[dump] : std::nullopt;
  };
  if (in.options.jsonl_groups) {
    LeakSiteFinder sites(in.options.modules);
    size_t limit = in.options.top.value_or(0);
    size_t n = 0;
    for (const DiffRow& row : d.rows) {
      if (row.change < in.options.min_count && row.status != DiffStatus::kSame) continue;
      if (limit != 0 && n++ >= limit) break;
      line(out, [&](JsonWriter& w) {
        w.field("type", "diff_row");
        dump_fields(w, *focus.snapshot, r.focus, time_of(r.focus));
        sources_field(w, d);
        write_diff_row_fields(w, d, row, sites);
      });
    }
  } else {
    for (const Finding& f : r.findings)
      line(out, [&](JsonWriter& w) {
        w.field("type", "finding");
        dump_fields(w, *focus.snapshot, r.focus, time_of(r.focus));
        sources_field(w, d);
        write_json_finding_fields(w, f, *focus.catalog, focus.snapshot);
      });
  }
  out.flush();
}

void write_jsonl_trend(const TrendInput& in, ReportOutput& out) {
  const Trend& t = *in.report.trend;
  const SnapshotDiff& d = t.diff;
  LeakSiteFinder sites(in.options.modules);
  const size_t last = d.dumps.size() - 1;
  std::optional<int64_t> time =
      last < in.context.times.size() ? in.context.times[last] : std::nullopt;
  size_t limit = in.options.top.value_or(0);
  size_t n = 0;
  for (uint32_t r : t.order) {
    if (limit != 0 && n++ >= limit) break;
    line(out, [&](JsonWriter& w) {
      w.field("type", "trend_row");
      dump_fields(w, *d.dumps[last].snapshot, last, time);
      sources_field(w, d);
      write_trend_row_fields(w, t, r, sites);
    });
  }
  out.flush();
}

}  // namespace gorleak
