#include "report/prometheus_writer.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "report/text_escape.h"

namespace gorleak {

void prometheus_label_escape(std::string_view value, std::string* out) {
  std::string visible = text_escaped(value);  // no newline survives this
  for (char ch : visible) {
    if (ch == '\\') out->append("\\\\");
    else if (ch == '"') out->append("\\\"");
    else out->push_back(ch);
  }
}

namespace {

// What one snapshot contributes: a few numbers and bounded lists, so the
// groups are walked once per snapshot and nothing of them is kept.
struct SnapshotMetrics {
  StateCounts states{};
  uint64_t total = 0, leaked = 0, groups = 0;
  bool truncated = false;
  std::string form;
  std::optional<int64_t> time;
  std::vector<std::pair<std::string, uint64_t>> sites;  // escaped; largest first, then "other"
  // (rule, severity) → findings, goroutines; labels already escaped
  std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>> findings;
};

std::string label_value(std::string_view raw) {
  std::string out;
  prometheus_label_escape(raw, &out);
  return out;
}

struct Family {
  std::string_view name;
  std::string_view help;
};

class PrometheusWriter final : public SnapshotWriter {
 public:
  void snapshot(const ReportInput& in, size_t si, ReportOutput&) override {
    const Snapshot& s = in.snapshots[si];
    SnapshotMetrics m;
    m.states = s.states;
    m.total = s.total;
    m.leaked = s.leaked;
    m.groups = s.groups.size();
    m.truncated = s.truncated;
    m.form = form_name(s.form);
    m.time = in.time_of(si);

    std::unordered_map<StrId, uint64_t> by_site;
    uint64_t no_frames = 0;
    for (uint32_t gi : in.selections[si].shown) {
      const Group& g = s.groups[gi];
      const Stack& stack = in.catalog.stacks.get(g.stack);
      if (stack.frames.empty()) {
        no_frames += g.count;
        continue;
      }
      int user = in.stacks.user_frame(g.stack);
      by_site[stack.frames[user >= 0 ? static_cast<size_t>(user) : 0].func] += g.count;
    }
    // Keyed by the escaped label value: two names that escape alike (a raw
    // ESC and the text "\x1b") must not become two series with one label.
    std::map<std::string, uint64_t> merged;
    for (auto [func, count] : by_site) merged[label_value(in.catalog.str(func))] += count;
    if (no_frames > 0) merged["[no frames]"] += no_frames;
    uint64_t other = 0;
    if (auto it = merged.find("other"); it != merged.end()) {  // a function named so
      other = it->second;
      merged.erase(it);
    }
    std::vector<std::pair<std::string, uint64_t>> sites(merged.begin(), merged.end());
    std::sort(sites.begin(), sites.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    size_t keep = std::min(sites.size(), in.options.metric_sites);
    for (size_t i = keep; i < sites.size(); ++i) other += sites[i].second;
    sites.resize(keep);
    sites.emplace_back("other", other);
    m.sites = std::move(sites);

    for (const Finding& f : s.findings) {
      auto& [n, goroutines] = m.findings[{label_value(f.rule), std::string(severity_name(f.severity))}];
      ++n;
      goroutines += f.count;
    }
    metrics_.push_back(std::move(m));
  }

  void end(const ReportInput&, ReportOutput& output) override {
    std::string& out = output.text();
    const bool several = metrics_.size() > 1;
    // `labels` holds the sample's own labels, already escaped ("" for none).
    auto sample = [&](std::string_view name, size_t si, const std::string& labels, auto value) {
      std::string all = labels;
      if (several) all += fmt::format("{}snapshot=\"{}\"", all.empty() ? "" : ",", si + 1);
      if (all.empty()) fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
      else fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, all, value);
    };
    // `value` is escaped already (label_value) or a fixed plain word.
    auto label = [](std::string_view key, std::string_view value) {
      return fmt::format("{}=\"{}\"", key, value);
    };
    auto family = [&](const Family& f) {
      fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} gauge\n", f.name, f.help,
                     f.name);
    };

    family({"gorleak_goroutines", "Goroutines in the dump, by state category."});
    for (size_t si = 0; si < metrics_.size(); ++si)
      for (size_t c = 0; c < kStateCategoryCount; ++c)
        sample("gorleak_goroutines", si, label("state", category_name(static_cast<StateCategory>(c))),
               metrics_[si].states[c]);
    family({"gorleak_dump_goroutines", "Goroutines read from the dump."});
    for (size_t si = 0; si < metrics_.size(); ++si)
      sample("gorleak_dump_goroutines", si, "", metrics_[si].total);
    family({"gorleak_dump_goroutines_leaked",
            "Goroutines the Go runtime marked (leaked) (goroutineleak profile)."});
    for (size_t si = 0; si < metrics_.size(); ++si)
      sample("gorleak_dump_goroutines_leaked", si, "", metrics_[si].leaked);
    family({"gorleak_dump_groups", "Groups of goroutines sharing a state and a stack."});
    for (size_t si = 0; si < metrics_.size(); ++si)
      sample("gorleak_dump_groups", si, "", metrics_[si].groups);
    family({"gorleak_dump_truncated", "1 when the dump was cut short: counts are a lower bound."});
    for (size_t si = 0; si < metrics_.size(); ++si)
      sample("gorleak_dump_truncated", si, "", metrics_[si].truncated ? 1 : 0);
    family({"gorleak_dump_info", "Always 1; the dump's form (debug1, debug2, crash, goroutineleak)."});
    for (size_t si = 0; si < metrics_.size(); ++si)
      sample("gorleak_dump_info", si, label("form", metrics_[si].form), 1);
    bool any_time = std::any_of(metrics_.begin(), metrics_.end(),
                                [](const SnapshotMetrics& m) { return m.time.has_value(); });
    if (any_time) {
      family({"gorleak_dump_timestamp_seconds",
              "When the dump file was written (its modification time), in Unix seconds."});
      for (size_t si = 0; si < metrics_.size(); ++si)
        if (metrics_[si].time) sample("gorleak_dump_timestamp_seconds", si, "", *metrics_[si].time);
    }
    family({"gorleak_site_goroutines",
            "Goroutines per leak site (the first frame of the user's code, else the innermost "
            "frame); the largest sites, the rest summed as site other."});
    for (size_t si = 0; si < metrics_.size(); ++si)
      for (const auto& [site, count] : metrics_[si].sites)
        sample("gorleak_site_goroutines", si, label("site", site), count);
    family({"gorleak_findings", "Findings of the leak rules, per rule and severity."});
    for (size_t si = 0; si < metrics_.size(); ++si)
      for (const auto& [key, value] : metrics_[si].findings)
        sample("gorleak_findings", si, label("rule", key.first) + "," + label("severity", key.second),
               value.first);
    family({"gorleak_finding_goroutines",
            "Goroutines covered by the findings, per rule and severity."});
    for (size_t si = 0; si < metrics_.size(); ++si)
      for (const auto& [key, value] : metrics_[si].findings)
        sample("gorleak_finding_goroutines", si,
               label("rule", key.first) + "," + label("severity", key.second), value.second);
    metrics_.clear();
  }

 private:
  std::vector<SnapshotMetrics> metrics_;
};

}  // namespace

std::unique_ptr<SnapshotWriter> make_prometheus_writer() {
  return std::make_unique<PrometheusWriter>();
}

}  // namespace gorleak
