// A source that keeps a copy: every byte it serves from `inner` is also
// written to a file (gzip-compressed when asked), so what was fetched from
// a URL can be analysed again later, byte for byte, with `gorleak FILE`.
// Memory: one window, as for `inner`. The copy is complete when the source
// has served its end; a write failure is a read error of this source.
#pragma once

#include <memory>
#include <string>

#include "read/byte_source.h"

namespace gorleak {

// Null with *error set when `path` cannot be created.
std::unique_ptr<ByteSource> make_save_source(std::unique_ptr<ByteSource> inner,
                                             const std::string& path, bool gzip,
                                             std::string* error);

}  // namespace gorleak
