// Cuts an input into Fragments for the split loader: blocks of about
// `block_bytes` whole lines, each cut just before a goroutine header or
// debug=1 record that follows a blank line, so the next block can be read
// without what came before.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/fragment.h"
#include "read/byte_source.h"
#include "read/line_reader.h"

namespace gorleak {

class BlockReader {
 public:
  // Read errors are recorded in *result (ok, error); bytes are counted there.
  BlockReader(ByteSource& src, size_t block_bytes, LineReaderResult* result);

  // The next fragment, or null at the end of the input.
  std::unique_ptr<Fragment> next();
  // Gives a fragment's buffer back for reuse.
  void recycle(std::unique_ptr<Fragment> f);

 private:
  std::unique_ptr<Fragment> fresh();
  void fill(Fragment& f);

  ByteSource& src_;
  size_t block_bytes_;
  LineReaderResult* result_;
  bool eof_ = false;
  bool done_ = false;
  std::string carry_;  // bytes after the last cut
  bool carry_parallel_ = false;  // the first block never is: no snapshot is open yet
  Form carry_form_ = Form::kDebug2;
  std::vector<std::unique_ptr<Fragment>> free_;
};

// Where a block may be cut: the offset of the last line in text[0, end)
// that starts a goroutine header or debug=1 record right after a blank line
// (0 when there is none), and the form that line continues.
size_t find_block_cut(std::string_view text, Form* form);

}  // namespace gorleak
