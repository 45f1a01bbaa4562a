// One call frame and the `created by` site, in interned form.
#pragma once

#include <cstdint>

#include "model/strings.h"

namespace gorleak {

struct Frame {
  enum Flags : uint8_t {
    kInlined = 1,    // args printed as "(...)": inlined, no PC offset
    kNoSymbol = 2,   // debug=1 "#\t0xPC" with no symbol, or "non-Go function"
  };
  StrId func = 0;
  StrId file = 0;
  uint32_t line = 0;
  uint8_t flags = 0;

  bool inlined() const { return flags & kInlined; }
  friend bool operator==(const Frame&, const Frame&) = default;
};

struct CreatedBy {
  StrId func = 0;  // 0 when the goroutine shows no `created by` line
  StrId file = 0;
  uint32_t line = 0;
  bool has_parent = false;  // Go 1.21+: "created by F in goroutine N"
  uint64_t parent_id = 0;

  bool present() const { return func != 0; }
};

}  // namespace gorleak
