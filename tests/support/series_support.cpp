#include "series_support.h"

#include <algorithm>
#include <set>

namespace gorleak::test {

std::vector<std::string> series_versions(const std::string& program) {
  std::set<std::string> versions;
  std::string prefix = program + ".go";
  for (const auto& p : list_files(corpus_dumps_dir(), prefix)) {
    std::string name = p.filename().string();
    if (name.rfind(prefix, 0) != 0 || name.size() < 7 || name.substr(name.size() - 7) != ".expect")
      continue;
    versions.insert(name.substr(prefix.size(), name.size() - prefix.size() - 7));
  }
  return {versions.begin(), versions.end()};
}

std::filesystem::path series_dump(const std::string& program, const std::string& version,
                                  const std::string& phase, const std::string& form) {
  std::string name = phase.empty() ? program + ".go" + version + "." + form + ".txt"
                                   : program + ".go" + version + "." + phase + "." + form + ".txt";
  return corpus_dumps_dir() / name;
}

std::optional<std::map<std::string, std::string>> expect_line(const std::string& program,
                                                              const std::string& version,
                                                              const std::string& phase,
                                                              const std::string& key,
                                                              const std::string& site) {
  auto rows = read_expect(corpus_dumps_dir() / (program + ".go" + version + ".expect"));
  for (const auto& row : rows) {
    std::map<std::string, std::string> m(row.begin(), row.end());
    if (!phase.empty() && m["phase"] != phase) continue;
    if (!m.count(key)) continue;
    if (!site.empty() && m["site"] != site) continue;
    return m;
  }
  return std::nullopt;
}

LoadedSeries load_series(const std::vector<std::filesystem::path>& files) {
  LoadedSeries s;
  for (const auto& f : files) {
    auto l = load(f);
    if (!l->result.ok || l->result.snapshots.empty()) {
      s.ok = false;
      return s;
    }
    s.loaded.push_back(std::move(l));
  }
  for (size_t i = 0; i < files.size(); ++i)
    s.dumps.push_back(DiffDump{files[i].filename().string(), &s.loaded[i]->result.snapshots.back(),
                               &s.loaded[i]->catalog});
  return s;
}

std::vector<const DiffRow*> rows_with(const SnapshotDiff& d, const std::string& func,
                                      const std::string& created_by, const std::string& state) {
  std::vector<const DiffRow*> out;
  for (const DiffRow& row : d.rows) {
    const Catalog& c = d.catalog(row.frames_from);
    const Stack& s = d.stack(row);
    bool has = std::any_of(s.frames.begin(), s.frames.end(),
                           [&](const Frame& f) { return c.str(f.func) == func; });
    if (!has) continue;
    if (!created_by.empty() && c.str(s.created_by.func) != created_by) continue;
    if (!state.empty() && d.state(row) != state) continue;
    out.push_back(&row);
  }
  return out;
}

}  // namespace gorleak::test
