// Facts about a stack that several formats show and that cost a walk over
// its frames: worked out once per stack, however many groups, snapshots and
// formats show it (a busy server has thousands of groups sharing stacks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/catalog.h"

namespace gorleak {

class StackFacts {
 public:
  // `modules`: --module prefixes, for the leak site (find_user_frame).
  StackFacts(const Catalog& catalog, std::vector<std::string> modules);

  // find_user_frame(stack): index of the user's frame, -1 when none.
  // Memoised; not thread-safe (one report is written by one thread).
  int user_frame(StackId stack) const;
  const std::vector<std::string>& modules() const { return modules_; }
  const Catalog& catalog() const { return catalog_; }

 private:
  static constexpr int32_t kUnknown = INT32_MIN;
  const Catalog& catalog_;
  std::vector<std::string> modules_;
  mutable std::vector<int32_t> user_;  // by StackId
};

}  // namespace gorleak
