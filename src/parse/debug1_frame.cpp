#include "parse/debug1_frame.h"

namespace gorleak {

Frame intern_debug1_frame(const Debug1Frame& f, StringTable& strings) {
  Frame fr;
  if (f.func.empty()) {
    fr.flags = Frame::kNoSymbol;
    return fr;
  }
  fr.func = strings.intern(f.func);
  fr.file = strings.intern(f.file);
  fr.line = f.line;
  return fr;
}

}  // namespace gorleak
