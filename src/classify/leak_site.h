// The leak site of a stack: the innermost frame of the user's own code
// (model/user_code.h), which is where a person goes to fix the leak, and the
// library frame it blocks in when the user's code called into a library.
// When the stack holds no user frame (an unread HTTP body leaves only
// net/http goroutines; a gRPC stream's watcher only grpc and runtime
// frames), the site is the goroutine's entry point and the finding says so.
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

  // Where it blocks outside the user's code (Finding::library):
  //   - with a user frame at index u: the innermost third-party frame
  //     above it (index < u: code that is neither the user's, the standard
  //     library nor the runtime); if there is none, the standard-library
  //     function the user's frame called (frames[u-1], when it is not
  //     runtime: net/http.(*Client).Do, sync.(*WaitGroup).Wait), with
  //     library_in_stdlib set; none when the user's frame blocks itself
  //     (a channel operation: only hidden runtime frames above it);
  //   - with no user frame: the innermost third-party frame, if any.
  // func 0 / index -1: none.
  SourceSite library;
  int library_index = -1;
  bool library_in_stdlib = false;
  // The library function the user's frame called (frames[u-1] when it is
  // third-party or non-runtime standard library): the entry point a rule
  // names, the caller of which the user changes. -1: none.
  int library_entry_index = -1;
};

class UserCode;  // model/user_code.h

class LeakSiteFinder {
 public:
  // `modules`: --module prefixes naming the user's code. Without them, the
  // user's code is inferred from the catalog's stacks (model/user_code.h).
  explicit LeakSiteFinder(std::vector<std::string> modules = {});

  LeakSite find(const Catalog& catalog, const Stack& stack) const;
  // The same with user_code(catalog) at hand, for callers asking of many stacks.
  LeakSite find(const Catalog& catalog, const Stack& stack, const UserCode& users) const;
  // True when `func` counts as the user's code by its name alone (a
  // created-by or entry function whose file is not at hand).
  bool is_user_func(std::string_view func) const;
  // The same for a frame whose file is known: follows the inference.
  bool is_user_frame(const Catalog& catalog, StrId func, StrId file) const;
  // The inference behind is_user_frame(), for loops over many frames: each
  // is_user_frame() call first checks that the inference is up to date.
  const UserCode& user_code(const Catalog& catalog) const;

 private:
  std::vector<std::string> modules_;
};

}  // namespace gorleak
