#include "cli/report_context.h"

#include <sys/stat.h>

namespace gorleak::cli {

ReportContext make_report_context(const RuleEngine* engine,
                                  const std::vector<std::string>& sources) {
  ReportContext c;
  if (engine != nullptr && engine->rules) {
    for (const Rule& r : engine->rules->rules())
      c.rules.push_back(RuleInfo{r.id, r.title, r.description, r.fix, r.severity, r.origin.file,
                                 r.builtin});
  }
  for (const std::string& s : sources) {
    struct stat st;
    if (s != "-" && ::stat(s.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      c.times.push_back(static_cast<int64_t>(st.st_mtime));
    else
      c.times.push_back(std::nullopt);
  }
  return c;
}

std::vector<std::string> snapshot_sources(const std::vector<Snapshot>& snapshots) {
  std::vector<std::string> out;
  out.reserve(snapshots.size());
  for (const Snapshot& s : snapshots) out.push_back(s.source);
  return out;
}

}  // namespace gorleak::cli
