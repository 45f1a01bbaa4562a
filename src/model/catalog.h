// Everything interned during one run: strings and stacks. Snapshots hold ids
// into it, so keep the Catalog alive as long as the snapshots.
#pragma once

#include <string_view>

#include "model/stack.h"
#include "model/strings.h"

namespace gorleak {

struct Catalog {
  StringTable strings;
  StackTable stacks;

  std::string_view str(StrId id) const { return strings.view(id); }
};

}  // namespace gorleak
