#include "watch/fleet.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "diff/verdict.h"

namespace gorleak {

std::vector<FleetSite> fleet_sites(const std::vector<const TargetSeries*>& targets,
                                   const LeakSiteFinder& sites) {
  std::map<std::string, size_t> instances;
  for (const TargetSeries* t : targets) ++instances[t->service()];
  using Key = std::tuple<std::string, std::string, std::string, uint32_t>;
  std::map<Key, FleetSite> by_site;
  for (size_t ti = 0; ti < targets.size(); ++ti) {
    const TargetSeries& t = *targets[ti];
    if (t.size() == 0) continue;
    const SnapshotDiff& d = t.trend().diff;
    for (const LikelyLeak& l : likely_leaks(d, LeakBasis::kGrowth, d.dumps.size() - 1, {})) {
      const DiffRow& row = d.rows[l.row];
      LeakSite s = sites.find(d.catalog(row.frames_from), d.stack(row));
      if (s.frame_index < 0) continue;
      const Catalog& c = d.catalog(row.frames_from);
      Key key{t.service(), std::string(c.str(s.site.func)), std::string(c.str(s.site.file)),
              s.site.line};
      FleetSite& f = by_site[key];
      if (f.members.empty()) {
        f.service = t.service();
        f.func = std::get<1>(key);
        f.file = std::get<2>(key);
        f.line = s.site.line;
        f.state = std::string(d.state(row));
        f.instances = instances[t.service()];
      }
      if (!f.members.empty() && f.members.back().target == ti) {
        f.members.back().rise += row.growth.rise;  // two rows of one target at one site
        f.members.back().first += row.counts.front();
        f.members.back().last += row.counts.back();
      } else {
        f.members.push_back(FleetMember{ti, row.counts.front(), row.counts.back(), row.growth.rise});
      }
      f.rise += row.growth.rise;
    }
  }
  std::vector<FleetSite> out;
  for (auto& [key, f] : by_site) out.push_back(std::move(f));
  std::stable_sort(out.begin(), out.end(), [](const FleetSite& a, const FleetSite& b) {
    if (a.members.size() != b.members.size()) return a.members.size() > b.members.size();
    return a.rise > b.rise;
  });
  return out;
}

}  // namespace gorleak
