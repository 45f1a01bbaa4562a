// The same leak site across the instances of one service, reported
// together, as Uber's LeakProf does across a fleet: one service's
// instances run one build, so a leak shows at the same site (function and
// file:line, classify/leak_site.h) on every instance that took the traffic
// that leaks. Seen on several instances, a growing site is a leak of the
// code, not of one machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "classify/leak_site.h"
#include "watch/target_series.h"

namespace gorleak {

struct FleetMember {
  size_t target = 0;  // index into the targets given
  uint64_t first = 0, last = 0, rise = 0;
};

struct FleetSite {
  std::string service;  // "" for targets named without one
  std::string func, file;
  uint32_t line = 0;
  std::string state;  // the state of the first member's row
  std::vector<FleetMember> members;  // instances where the site grows
  size_t instances = 0;  // targets of the service
  uint64_t rise = 0;     // sum over members
};

// Sites that grow (diff/growth.h) on at least one target, most instances
// first, then largest rise.
std::vector<FleetSite> fleet_sites(const std::vector<const TargetSeries*>& targets,
                                   const LeakSiteFinder& sites);

}  // namespace gorleak
