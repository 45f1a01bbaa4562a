#include "report/html_writer.h"

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "diff/creation_forest.h"
#include "diff/snapshot_diff.h"
#include "diff/trend.h"
#include "report/trend_report.h"
#include "model/user_code.h"
#include "report/diff_report.h"
#include "report/json_writer.h"
#include "report/text_escape.h"
#include "report/text_style.h"

namespace gorleak {

// The page's style sheet and script (html_assets.cpp).
extern const std::string_view kHtmlStyle;
extern const std::string_view kHtmlScript;

void html_escape(std::string_view s, std::string* out) {
  for (char ch : text_escaped(s)) {
    switch (ch) {
      case '&': out->append("&amp;"); break;
      case '<': out->append("&lt;"); break;
      case '>': out->append("&gt;"); break;
      case '"': out->append("&quot;"); break;
      case '\'': out->append("&#39;"); break;
      default: out->push_back(ch);
    }
  }
}

void script_json_escape(std::string_view json, std::string* out) {
  size_t start = 0;
  for (size_t lt = json.find('<'); lt != std::string_view::npos; lt = json.find('<', start)) {
    out->append(json.substr(start, lt - start));
    out->append("\\u003c");
    start = lt + 1;
  }
  out->append(json.substr(start));
}

namespace {

// One HTML page: the shell, the data (streamed through script_json_escape
// as it is written) and the script. Strings and stacks are written once, in
// tables at the end, and referred to by position; strings are text_escaped
// before they are stored, so the page never holds a control character.
class Page {
 public:
  Page(ReportOutput& out, std::string_view kind, std::string_view title)
      : out_(out), w_(&json_, 0) {
    std::string& o = out_.text();
    o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
         "<meta name=\"generator\" content=\"gorleak " GORLEAK_VERSION "\">\n<title>";
    html_escape(title, &o);
    o += "</title>\n<style>";
    o += kHtmlStyle;
    o += "</style>\n</head>\n<body>\n<main id=\"app\"><noscript>This report is drawn by a "
         "script; allow scripts for this file, or use gorleak's text or JSON output."
         "</noscript></main>\n<script type=\"application/json\" id=\"gorleak-data\">";
    w_.begin_object();
    w_.field("kind", kind);
    w_.field("generator", "gorleak " GORLEAK_VERSION);
    w_.field("title", text_escaped(title));
  }

  JsonWriter& json() { return w_; }

  // A display string: escaped for text, as a JSON string value.
  void text(std::string_view key, std::string_view raw) { w_.field(key, text_escaped(raw)); }
  void optional_text(std::string_view key, std::string_view raw) {
    if (raw.empty()) w_.null_field(key);
    else text(key, raw);
  }

  // Rule texts are hard-wrapped in their YAML: lines join into one
  // paragraph, a blank line starts the next; each line escaped.
  void prose(std::string_view key, std::string_view raw) {
    std::string out;
    bool blank = false;
    while (!raw.empty()) {
      size_t nl = raw.find('\n');
      std::string_view line = raw.substr(0, nl);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
      if (line.empty()) {
        blank = !out.empty();
      } else {
        if (!out.empty()) out += blank ? "\n\n" : " ";
        blank = false;
        text_escape(line, &out);
      }
      if (nl == std::string_view::npos) break;
      raw.remove_prefix(nl + 1);
    }
    w_.field(key, out);
  }

  uint32_t str(std::string_view raw) {
    std::string shown = text_escaped(raw);
    auto [it, fresh] = ids_.try_emplace(shown, static_cast<uint32_t>(strings_.size()));
    if (fresh) strings_.push_back(std::move(shown));
    return it->second;
  }

  // str() of a catalog's string, worked out once per string id: every
  // frame of every stack asks, and escaping and hashing each frame's name
  // and path again cost most of a page of 50,000 stacks.
  uint32_t str(const Catalog& c, StrId id) {
    if (&c != memo_catalog_) {
      memo_catalog_ = &c;
      memo_ = &memo_by_catalog_[&c];
    }
    std::vector<uint32_t>& m = *memo_;
    if (id >= m.size()) m.resize(std::max<size_t>(id + 1, c.strings.size()), kNoString);
    if (m[id] == kNoString) m[id] = str(c.str(id));
    return m[id];
  }

  // [func, file, line] with string ids, or null.
  void site(const Catalog& c, StrId func, StrId file, uint32_t line) {
    if (func == 0) {
      w_.null();
      return;
    }
    w_.begin_array();
    w_.value(str(c, func));
    w_.value(str(c, file));
    w_.value(line);
    w_.end_array();
  }

  // The id of a stack (of one catalog) in the page's stack table.
  uint32_t stack(const Catalog& c, StackId id, int user_frame) {
    auto [it, fresh] = stack_ids_.try_emplace(StackKey{&c, id}, static_cast<uint32_t>(stacks_.size()));
    if (fresh) {
      const Stack& s = c.stacks.get(id);
      StackRow row;
      row.user = user_frame;
      for (const Frame& f : s.frames) row.frames.push_back({str(c, f.func), str(c, f.file), f.line});
      if (s.created_by.present())
        row.created_by = {str(c, s.created_by.func), str(c, s.created_by.file), s.created_by.line};
      row.has_created_by = s.created_by.present();
      row.elided_count = s.elided_count;
      row.elided_at = s.elided_at;
      stacks_.push_back(std::move(row));
    }
    return it->second;
  }

  void finding(const Finding& f, const Catalog& c) {
    w_.begin_object();
    text("rule", f.rule);
    text("title", f.title);
    w_.field("severity", severity_name(f.severity));
    w_.field("rule_severity", severity_name(f.rule_severity));
    w_.field("confidence", confidence_name(f.confidence));
    w_.field("level", evidence_level_name(f.evidence_level));
    prose("basis", f.evidence_basis);
    w_.field("count", f.count);
    text("count_text", finding_count_text(f));
    text("state", f.state);
    w_.key("site");
    site(c, f.site.func, f.site.file, f.site.line);
    w_.field("site_in_stdlib", f.site_in_stdlib);
    w_.key("blocking");
    site(c, f.blocking.func, f.blocking.file, f.blocking.line);
    w_.key("library");
    site(c, f.library.func, f.library.file, f.library.line);
    w_.key("created_by");
    site(c, f.created_by.func, f.created_by.file, f.created_by.line);
    w_.key("groups");
    w_.begin_array();
    for (uint32_t g : f.groups) w_.value(g);
    w_.end_array();
    prose("evidence", f.evidence);
    prose("cause", f.cause);
    prose("fix", f.fix);
    w_.field("growth_confirmed", f.growth_confirmed);
    w_.end_object();
  }

  // Moves the data written so far to the output.
  void pump() {
    w_.flush();
    script_json_escape(json_, &out_.text());
    json_.clear();
    out_.flush_if_due();
  }

  void end() {
    w_.key("strings");
    w_.begin_array();
    for (const std::string& s : strings_) w_.value(s);
    w_.end_array();
    w_.key("stacks");
    w_.begin_array();
    for (const StackRow& s : stacks_) {
      w_.begin_array();
      w_.value(s.user);
      w_.begin_array();
      for (const auto& f : s.frames) triple(f);
      w_.end_array();
      if (s.has_created_by) triple(s.created_by);
      else w_.null();
      w_.value(s.elided_count);
      w_.value(s.elided_at);
      w_.end_array();
      if (json_.size() >= ReportOutput::kFlushBytes) pump();
    }
    w_.end_array();
    w_.end_object();
    pump();
    std::string& o = out_.text();
    o += "</script>\n<script>";
    o += kHtmlScript;
    o += "</script>\n</body>\n</html>\n";
    if (w_.write_failed()) out_.note_failed();
    out_.flush();
  }

 private:
  using Triple = std::array<uint32_t, 3>;
  struct StackRow {
    int user = -1;
    std::vector<Triple> frames;
    Triple created_by{};
    bool has_created_by = false;
    int32_t elided_count = 0;
    uint32_t elided_at = 0;
  };
  struct StackKey {
    const Catalog* catalog;
    StackId id;
    bool operator==(const StackKey&) const = default;
  };
  struct StackKeyHash {
    size_t operator()(const StackKey& k) const {
      return std::hash<const void*>()(k.catalog) * 31 + k.id;
    }
  };

  void triple(const Triple& t) {
    w_.begin_array();
    for (uint32_t v : t) w_.value(v);
    w_.end_array();
  }

  ReportOutput& out_;
  std::string json_;
  JsonWriter w_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> strings_;
  static constexpr uint32_t kNoString = ~uint32_t{0};
  std::unordered_map<const Catalog*, std::vector<uint32_t>> memo_by_catalog_;  // str(c, id) by id
  const Catalog* memo_catalog_ = nullptr;  // the catalog of memo_
  std::vector<uint32_t>* memo_ = nullptr;
  std::unordered_map<StackKey, uint32_t, StackKeyHash> stack_ids_;
  std::vector<StackRow> stacks_;
};

// Counts per state category across dumps: [[name, [n…]]…], the non-empty ones.
void state_rows(JsonWriter& w, const SnapshotDiff& d) {
  w.key("states");
  w.begin_array();
  for (size_t c = 0; c < kStateCategoryCount; ++c) {
    const auto& v = d.states[c];
    if (std::all_of(v.begin(), v.end(), [](uint64_t x) { return x == 0; })) continue;
    w.begin_array();
    w.value(category_name(static_cast<StateCategory>(c)));
    w.begin_array();
    for (uint64_t x : v) w.value(x);
    w.end_array();
    w.end_array();
  }
  w.end_array();
}

void dumps_list(Page& page, const SnapshotDiff& d) {
  JsonWriter& w = page.json();
  w.key("dumps");
  w.begin_array();
  for (size_t i = 0; i < d.dumps.size(); ++i) {
    w.begin_object();
    page.text("name", d.dumps[i].name);
    w.field("form", form_name(d.dumps[i].snapshot->form));
    w.field("total", d.totals[i]);
    w.end_object();
  }
  w.end_array();
}

// The row's state label and stack, as diff and trend rows show them.
void row_state_and_stack(Page& page, const SnapshotDiff& d, const DiffRow& row,
                         const ReportOptions& options) {
  JsonWriter& w = page.json();
  w.value(page.str(group_state_label(d.group(row.state_from), d.catalog(row.state_from))));
  const Catalog& c = d.catalog(row.frames_from);
  StackId id = d.group(row.frames_from).stack;
  w.value(page.stack(c, id, find_user_frame(c.stacks.get(id), c, options.modules)));
}

class HtmlWriter final : public SnapshotWriter {
 public:
  void begin(const ReportInput& in, ReportOutput& out) override {
    std::string title = in.snapshots.size() == 1
                            ? fmt::format("gorleak: {}", in.snapshots[0].source)
                            : fmt::format("gorleak: {} dumps", in.snapshots.size());
    page_ = std::make_unique<Page>(out, "analyze", title);
    page_->json().key("snapshots");
    page_->json().begin_array();
  }

  void snapshot(const ReportInput& in, size_t si, ReportOutput&) override {
    Page& p = *page_;
    JsonWriter& w = p.json();
    const Snapshot& s = in.snapshots[si];
    const GroupSelection& sel = in.selections[si];
    w.begin_object();
    p.text("source", s.source);
    w.field("form", form_name(s.form));
    w.field("total", s.total);
    w.field("leaked", s.leaked);
    w.field("truncated", s.truncated);
    w.field("skipped_lines", s.skipped_lines);
    p.optional_text("cause", s.cause);
    w.field("leak_report", leak_report_name(s.leak_report));
    w.field("group_count", s.groups.size());
    w.field("matched", sel.matched);
    w.key("states");
    w.begin_array();
    for (size_t c = 0; c < kStateCategoryCount; ++c) {
      if (s.states[c] == 0) continue;
      w.begin_array();
      w.value(category_name(static_cast<StateCategory>(c)));
      w.value(s.states[c]);
      w.end_array();
    }
    w.end_array();
    w.key("diagnostics");
    w.begin_array();
    for (const Diagnostic& d : s.diagnostics) w.value(text_escaped(d.format()));
    w.end_array();
    w.key("findings");
    w.begin_array();
    for (const Finding& f : s.findings) p.finding(f, in.catalog);
    w.end_array();
    // [index, count, state, stack, min wait, max wait, leaked]
    w.key("groups");
    w.begin_array();
    size_t n = 0;
    for (uint32_t gi : sel.shown) {
      const Group& g = s.groups[gi];
      w.begin_array();
      w.value(gi);
      w.value(g.count);
      w.value(p.str(group_state_label(g, in.catalog)));
      w.value(p.stack(in.catalog, g.stack, in.stacks.user_frame(g.stack)));
      w.value(g.min_wait);
      w.value(g.max_wait);
      w.value(g.leaked);
      w.end_array();
      if (++n % 4096 == 0) p.pump();
    }
    w.end_array();
    w.end_object();
    p.pump();
  }

  void end(const ReportInput&, ReportOutput&) override {
    page_->json().end_array();
    page_->end();
    page_.reset();
  }

 private:
  std::unique_ptr<Page> page_;
};

}  // namespace

std::unique_ptr<SnapshotWriter> make_html_writer() { return std::make_unique<HtmlWriter>(); }

void write_html_diff(const DiffInput& in, ReportOutput& out) {
  const DiffReport& r = in.report;
  const SnapshotDiff& d = *r.diff;
  std::string names;
  for (size_t i = 0; i < d.dumps.size(); ++i)
    names += fmt::format("{}{}", i ? " \u2192 " : "", d.dumps[i].name);
  Page page(out, "diff", fmt::format("gorleak diff: {}", names));
  JsonWriter& w = page.json();
  dumps_list(page, d);
  w.field("three_way", d.three_way());
  w.field("signature", signature_mode_name(d.mode));
  page.text("verdict", diff_verdict(d));
  state_rows(w, d);
  // [status, [counts…], delta, state, stack]
  w.key("rows");
  w.begin_array();
  size_t n = 0;
  for (const DiffRow& row : d.rows) {
    if (row.change < in.options.min_count && row.status != DiffStatus::kSame) continue;
    w.begin_array();
    w.value(diff_status_name(row.status));
    w.begin_array();
    for (uint64_t x : row.counts) w.value(x);
    w.end_array();
    w.value(row.delta());
    row_state_and_stack(page, d, row, in.options);
    w.end_array();
    if (++n % 4096 == 0) page.pump();
  }
  w.end_array();
  const DiffDump& focus = d.dumps[r.focus];
  page.text("focus", focus.name);
  w.field("classified", r.classified);
  w.key("findings");
  w.begin_array();
  for (const Finding& f : r.findings) page.finding(f, *focus.catalog);
  w.end_array();
  w.key("spawned");
  w.begin_array();
  for (const SpawnAttribution& a : r.spawned)
    w.value(text_escaped(describe_attribution(a, *focus.snapshot, *focus.catalog)));
  w.end_array();
  page.end();
}

void write_html_trend(const TrendInput& in, ReportOutput& out) {
  const Trend& t = *in.report.trend;
  const SnapshotDiff& d = t.diff;
  Page page(out, "trend", fmt::format("gorleak trend: {} dumps", d.dumps.size()));
  JsonWriter& w = page.json();
  dumps_list(page, d);
  w.field("signature", signature_mode_name(d.mode));
  w.field("flagged", t.growing());
  w.field("verdict", trend_verdict(t));
  state_rows(w, d);
  // [[counts…], grows, never shrinks, growth per dump, state, stack]
  w.key("rows");
  w.begin_array();
  size_t n = 0;
  for (uint32_t r : t.order) {
    const DiffRow& row = d.rows[r];
    const TrendInfo& info = t.info[r];
    w.begin_array();
    w.begin_array();
    for (uint64_t x : row.counts) w.value(x);
    w.end_array();
    w.value(info.growth.grows);
    w.value(info.growth.never_shrinks);
    w.value(info.growth_per_dump);
    row_state_and_stack(page, d, row, in.options);
    w.end_array();
    if (++n % 4096 == 0) page.pump();
  }
  w.end_array();
  page.end();
}

}  // namespace gorleak
