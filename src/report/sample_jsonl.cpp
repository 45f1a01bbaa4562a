#include "report/sample_jsonl.h"

#include <fmt/format.h>

#include "classify/leak_site.h"
#include "diff/signature.h"
#include "report/json_report.h"
#include "report/json_writer.h"
#include "watch/target_series.h"

namespace gorleak {

void write_sample_jsonl(const std::string& url, const std::string& service, double unix_time,
                        const Snapshot& s, const Catalog& c,
                        const std::vector<std::string>& modules, std::string* out) {
  LeakSiteFinder sites(modules);
  JsonWriter w(out, /*indent=*/0);
  w.begin_object();
  w.field("schema_version", kSampleJsonlSchemaVersion);
  w.field("url", url);
  w.field("service", service);
  w.field("time", utc_time(unix_time));
  w.field("unix_time", unix_time);
  w.field("form", form_name(s.form));
  w.field("total", s.total);
  w.field("leaked", s.leaked);
  w.field("truncated", s.truncated);
  w.field("max_goroutine_id", s.max_goroutine_id);
  w.key("states");
  w.begin_object();
  for (size_t i = 0; i < kStateCategoryCount; ++i)
    if (s.states[i]) w.field(category_name(static_cast<StateCategory>(i)), s.states[i]);
  w.end_object();
  w.key("groups");
  w.begin_array();
  for (const Group& g : s.groups) {
    w.begin_object();
    w.field("signature", fmt::format("{:016x}", group_signature(c, g, SignatureMode::kExact)));
    w.field("count", g.count);
    w.field("state", c.str(g.state));
    w.field("category", category_name(g.category));
    w.field("leaked", g.leaked);
    LeakSite site = sites.find(c, c.stacks.get(g.stack));
    w.key("site");
    write_json_site(w, c, site.site.func, site.site.file, site.site.line);
    w.field("site_in_stdlib", site.in_stdlib);
    w.end_object();
  }
  w.end_array();
  w.key("findings");
  w.begin_array();
  for (const Finding& f : s.findings) {
    w.begin_object();
    w.field("rule", f.rule);
    w.field("severity", severity_name(f.severity));
    w.field("count", f.count);
    w.key("site");
    write_json_site(w, c, f.site.func, f.site.file, f.site.line);
    w.field("growth_confirmed", f.growth_confirmed);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.finish();
  out->push_back('\n');
}

}  // namespace gorleak
