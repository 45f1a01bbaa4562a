// The leak site of a stack: the first frame of the user's own code, which is
// where a person goes to fix the leak. When the stack holds only standard
// library frames (an unread HTTP body leaves only net/http goroutines), the
// site is the stdlib entry point and the finding says so.
#pragma once

#include <string>
#include <vector>

#include "model/catalog.h"
#include "model/finding.h"
#include "model/stack.h"

namespace gorleak {

struct LeakSite {
  SourceSite site;
  bool in_stdlib = false;  // no user frame: `site` is the goroutine's entry point
  int frame_index = -1;    // index into Stack::frames, -1 when the stack is empty
};

class LeakSiteFinder {
 public:
  // `modules`: --module prefixes naming the user's code. Without them, the
  // first frame outside the standard library and runtime is the user's.
  explicit LeakSiteFinder(std::vector<std::string> modules = {});

  LeakSite find(const Catalog& catalog, const Stack& stack) const;
  // True when `func` counts as the user's code under the current settings.
  bool is_user_func(std::string_view func) const;

 private:
  std::vector<std::string> modules_;
};

}  // namespace gorleak
