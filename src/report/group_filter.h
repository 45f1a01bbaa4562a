// Which groups a report shows: --match / --exclude (RE2), --min-count, --top.
// Every output format selects through here, so they agree.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/snapshot.h"
#include "report/report_options.h"

namespace re2 {
class RE2;
}

namespace gorleak {

class GroupFilter {
 public:
  GroupFilter();
  ~GroupFilter();
  GroupFilter(GroupFilter&&) noexcept;
  GroupFilter& operator=(GroupFilter&&) noexcept;

  // Compiles the patterns of `options`. On a bad pattern returns false and
  // sets *error to "--match: <RE2's message>".
  bool init(const ReportOptions& options, std::string* error);

  // --match / --exclude / --min-count only (not --top).
  bool keep(const Group& group, const Catalog& catalog) const;

 private:
  bool any_matches(const re2::RE2& re, const Group& group, const Catalog& catalog) const;

  std::unique_ptr<re2::RE2> match_;
  std::unique_ptr<re2::RE2> exclude_;
  uint64_t min_count_ = 1;
};

struct GroupSelection {
  std::vector<uint32_t> shown;  // indices into Snapshot::groups, in order
  size_t matched = 0;           // groups that passed the filter (before --top)
  uint64_t matched_goroutines = 0;
};

// `top` 0 means no limit.
GroupSelection select_groups(const Snapshot& snapshot, const Catalog& catalog,
                             const GroupFilter& filter, size_t top);

}  // namespace gorleak
