// goleak-style ignore list: groups whose top function, any function or
// created-by function is named here take no part in classification. Names
// are exact function names, as goleak's IgnoreTopFunction & co. take them.
#pragma once

#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/stack.h"

namespace gorleak {

struct IgnoreList {
  std::vector<std::string> top;         // --ignore-top FUNC
  std::vector<std::string> any;         // --ignore-any FUNC
  std::vector<std::string> created_by;  // --ignore-created-by FUNC

  bool empty() const { return top.empty() && any.empty() && created_by.empty(); }
  bool ignores(const Catalog& catalog, const Stack& stack) const;
};

}  // namespace gorleak
