// Cuts an input into Fragments for the split loader: blocks of about
// `block_bytes` whole lines, each cut just before a goroutine header or
// debug=1 record that follows a blank line, so the next block can be read
// without what came before.
//
// A regular file served in place (ByteSource::file()) is read from where the
// previous block was cut, so several blocks can be in flight at once and
// nothing is carried: each block is its own mapping of the file, or its
// own pread() when the file is not mapped (FileExtent::map_window_bytes 0).
// A block read with pread() for a worker is read only as far as the cut
// needs, its tail; the worker reads the rest, so that on a dump of distinct
// stacks, where the main thread is the busy one, it copies 1/16 of the
// bytes. Other inputs are read() into buffers, and the bytes after a cut are
// carried over.
#pragma once

#include <memory>
#include <optional>
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

  // The next fragment, or null at the end of the input. `for_worker`: a
  // block that can go to a worker may leave its head unread
  // (Fragment::unread) for the worker to read; the main thread completes
  // it (complete()) before it reads the block itself.
  std::unique_ptr<Fragment> next(bool for_worker = false);
  // Reads whatever of `f` is still unread. False when it cannot be read
  // (the file shrank, or a worker's read failed): the error is in *result,
  // and the input ends here.
  bool complete(Fragment& f);
  // Gives a fragment back, once nothing reads its bytes any more. False
  // when the file shrank under the fragment's mapping, so that some of the
  // bytes read were zeros: the error is in *result, and the input ends here.
  bool recycle(std::unique_ptr<Fragment> f);
  // For a fragment marked rest_of_input: the input from its first byte on,
  // to be read line by line. Valid while `f` is.
  std::unique_ptr<ByteSource> rest_from(const Fragment& f);

 private:
  std::unique_ptr<Fragment> fresh();
  void fill_copied(Fragment& f);
  // A block of a file served in place: its own mapping, or its own pread()
  // (only of its tail with `tail_only`).
  void fill_from_file(Fragment& f, bool tail_only);
  void fail(std::string error);

  ByteSource& src_;
  std::optional<FileExtent> file_;
  size_t block_bytes_;
  LineReaderResult* result_;
  bool eof_ = false;
  bool done_ = false;
  // Where the next block starts: at offset_ in the file, or with carry_.
  uint64_t offset_ = 0;
  std::string carry_;
  bool next_parallel_ = false;  // the first block never is: no snapshot is open yet
  bool next_starts_goroutine1_ = false;  // the next block begins `goroutine 1 [`
  Form next_form_ = Form::kDebug2;
  std::vector<std::unique_ptr<Fragment>> free_;
};

// Where a block may be cut: the offset of the last line in text[0, end)
// that starts a goroutine header or debug=1 record right after a blank line
// (0 when there is none), and the form that line continues.
size_t find_block_cut(std::string_view text, Form* form);

}  // namespace gorleak
