// Everything interned during one run: strings and stacks. Snapshots hold ids
// into it, so keep the Catalog alive as long as the snapshots.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/stack.h"
#include "model/strings.h"

namespace gorleak {

class UserCode;

struct Catalog {
  StringTable strings;
  StackTable stacks;

  std::string_view str(StrId id) const { return strings.view(id); }

  // Which code is the user's, as these stacks show it: kept here by
  // user_code_of() (model/user_code.h), which works it out again once the
  // catalog has grown or other --module prefixes are asked for.
  mutable std::shared_ptr<const UserCode> user_code;
  mutable std::vector<std::string> user_code_modules;
};

}  // namespace gorleak
