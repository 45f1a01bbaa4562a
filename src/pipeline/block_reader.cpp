#include "pipeline/block_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "read/mapped_file_source.h"
#include "read/mapped_region.h"

namespace gorleak {

namespace {

// How much of a block for a worker the main thread reads to cut it: enough
// for many goroutines, so a cut is almost always there.
constexpr size_t kTailBytes = size_t{64} << 10;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A line a worker can start from: `goroutine N ` or `N @`.
bool starts_block(std::string_view line, Form* form) {
  constexpr std::string_view kHeader = "goroutine ";
  if (line.size() > kHeader.size() && line.substr(0, kHeader.size()) == kHeader &&
      is_digit(line[kHeader.size()])) {
    *form = Form::kDebug2;
    return true;
  }
  size_t i = 0;
  while (i < line.size() && is_digit(line[i])) ++i;
  if (i > 0 && i + 1 < line.size() && line[i] == ' ' && line[i + 1] == '@') {
    *form = Form::kDebug1;
    return true;
  }
  return false;
}

// Reads `head` and then the rest of `src` (which it does not own).
class ContinuedSource : public ByteSource {
 public:
  ContinuedSource(std::string_view head, ByteSource& rest) : head_(head), rest_(rest) {}
  long read(char* buf, size_t n, std::string* error) override {
    if (!head_.empty()) {
      size_t k = n < head_.size() ? n : head_.size();
      std::memcpy(buf, head_.data(), k);
      head_.remove_prefix(k);
      return static_cast<long>(k);
    }
    return rest_.read(buf, n, error);
  }
  long next_window(const char** data, std::string* error) override {
    if (!head_.empty()) {
      *data = head_.data();
      size_t k = head_.size();
      head_ = {};
      return static_cast<long>(k);
    }
    return rest_.next_window(data, error);
  }

 private:
  std::string_view head_;
  ByteSource& rest_;
};

// Whether `text` begins with a `goroutine 1` header, which opens a new
// dump after the first (parse/parser.h).
bool starts_goroutine1(std::string_view text) { return text.starts_with("goroutine 1 ["); }

// Whether a line of `text` after its first begins `goroutine 1 [`.
bool holds_goroutine1_after_newline(std::string_view text) {
  constexpr std::string_view kAfterNewline = "\ngoroutine 1 [";
  return memmem(text.data(), text.size(), kAfterNewline.data(), kAfterNewline.size()) != nullptr;
}

// The length of `text` up to and with its last '\n'; 0 when it has none.
size_t whole_lines(std::string_view text) {
  const void* nl = memrchr(text.data(), '\n', text.size());
  return nl == nullptr ? 0 : static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
}

}  // namespace

size_t find_block_cut(std::string_view text, Form* form) {
  const char* base = text.data();
  size_t end = text.size();
  // Walk back over line starts; a cut needs "\n\n" right before the line.
  while (end >= 2) {
    const void* nl = memrchr(base, '\n', end - 1);
    if (nl == nullptr) break;
    size_t at = static_cast<size_t>(static_cast<const char*>(nl) - base);
    size_t line_start = at + 1;
    if (at >= 1 && base[at - 1] == '\n' && line_start < text.size()) {
      const char* eol = static_cast<const char*>(
          std::memchr(base + line_start, '\n', text.size() - line_start));
      size_t line_end = eol == nullptr ? text.size() : static_cast<size_t>(eol - base);
      if (starts_block(text.substr(line_start, line_end - line_start), form)) return line_start;
    }
    end = at + 1;
    if (at == 0) break;
  }
  return 0;
}

BlockReader::BlockReader(ByteSource& src, size_t block_bytes, LineReaderResult* result)
    : src_(src),
      file_(src.file()),
      block_bytes_(block_bytes < 1024 ? 1024 : block_bytes),
      result_(result) {
  if (file_) offset_ = file_->begin;
}

std::unique_ptr<Fragment> BlockReader::fresh() {
  std::unique_ptr<Fragment> f;
  if (!free_.empty()) {
    f = std::move(free_.back());
    free_.pop_back();
  } else {
    f = std::make_unique<Fragment>();
    // A carried tail never outgrows the buffer it came from, and reads go
    // on until a block is full, so a quarter block of slack is enough.
    // Untouched (mapped blocks use it only if mapping fails), it costs no
    // memory.
    f->capacity = block_bytes_ + block_bytes_ / 4;
    f->data = std::make_unique_for_overwrite<char[]>(f->capacity);
  }
  f->bytes = f->data.get();
  f->size = 0;
  f->parallel = false;
  f->form = Form::kDebug2;
  f->rest_of_input = false;
  f->fd = -1;
  f->unread_at = 0;
  f->unread = 0;
  f->unread_error.clear();
  f->parsed = false;
  f->summary = FragmentSummary{};
  f->records.clear();
  f->delta = CatalogDelta{};
  return f;
}

bool BlockReader::recycle(std::unique_ptr<Fragment> f) {
  bool intact = f->region.release();
  if (!intact) {
    fail(kFileShrankError);
    done_ = true;
  }
  if (f->capacity == block_bytes_ + block_bytes_ / 4) free_.push_back(std::move(f));
  return intact;
}

void BlockReader::fail(std::string error) {
  result_->ok = false;
  result_->error = std::move(error);
  eof_ = true;  // keep what was read, as read_lines does
}

void BlockReader::fill_copied(Fragment& f) {
  std::memcpy(f.data.get(), carry_.data(), carry_.size());
  f.size = carry_.size();
  carry_.clear();
  while (!eof_ && f.size < block_bytes_) {
    long n = src_.read(f.data.get() + f.size, f.capacity - f.size, &result_->error);
    if (n < 0) {
      fail(result_->error);
      break;
    }
    if (n == 0) {
      eof_ = true;
      break;
    }
    f.size += static_cast<size_t>(n);
    result_->bytes += static_cast<uint64_t>(n);
  }
}

void BlockReader::fill_from_file(Fragment& f, bool tail_only) {
  struct stat st;
  if (::fstat(file_->fd, &st) != 0) {
    fail(std::strerror(errno));
    return;
  }
  uint64_t size = st.st_size > 0 ? static_cast<uint64_t>(st.st_size) : 0;
  if (size <= offset_) {
    eof_ = true;
    return;
  }
  size_t len = static_cast<size_t>(std::min<uint64_t>(block_bytes_, size - offset_));
  if (offset_ + len == size) eof_ = true;
  if (file_->map_window_bytes > 0 && f.region.map(file_->fd, offset_, len)) {
    f.bytes = f.region.data();
    f.size = len;
    result_->bytes += f.size;
    return;
  }
  // The last block never goes to a worker, so it is read whole.
  size_t tail = tail_only && !eof_ ? std::min(kTailBytes, block_bytes_ / 4) : 0;
  if (tail > 0 && len > tail) {
    size_t head = len - tail;
    std::string error;
    long r = pread_at(file_->fd, f.data.get() + head, tail, offset_ + head, &error);
    if (r == static_cast<long>(tail)) {
      f.size = len;
      f.fd = file_->fd;
      f.unread_at = offset_;
      f.unread = head;
      result_->bytes += f.size;
      return;
    }
    // A short read: the whole block is read below, which sees why.
  }
  while (f.size < len) {
    std::string error;
    long r = pread_at(file_->fd, f.data.get() + f.size, len - f.size, offset_ + f.size, &error);
    if (r < 0) {
      fail(std::move(error));
      break;
    }
    if (r == 0) {  // shrank since fstat: what is left is the input
      eof_ = true;
      break;
    }
    f.size += static_cast<size_t>(r);
  }
  // A block's bytes after its cut are mapped or read again with the next
  // block; they are counted here and taken back at the cut.
  result_->bytes += f.size;
}

bool BlockReader::complete(Fragment& f) {
  if (f.unread == 0) return true;
  if (f.unread_error.empty()) read_unread(f);
  if (f.unread == 0) return true;
  fail(f.unread_error);
  done_ = true;
  return false;
}

std::unique_ptr<Fragment> BlockReader::next(bool for_worker) {
  if (done_) return nullptr;
  std::unique_ptr<Fragment> f = fresh();
  const bool at_goroutine1 = next_starts_goroutine1_;  // told by the cut before
  f->parallel = next_parallel_;
  f->form = next_form_;
  if (file_)
    fill_from_file(*f, for_worker && f->parallel);
  else
    fill_copied(*f);
  if (eof_) {
    done_ = true;
    // The last block is read on the main thread: only it can end without a
    // newline or inside a goroutine, which finish() must see.
    f->parallel = false;
    if (f->size == 0) return nullptr;
    return f;
  }
  Form form = Form::kDebug2;
  size_t cut = 0;
  if (f->unread > 0) {
    // A cut in the tail read: the rest is the worker's to read. Else the
    // block is read whole, and cut as any other.
    std::string_view tail = f->text().substr(f->unread);
    size_t at = find_block_cut(tail.substr(0, whole_lines(tail)), &form);
    if (at > 0) cut = f->unread + at;
    if (cut == 0 && !complete(*f)) return nullptr;
  }
  std::string_view text = f->text();
  bool at_header = true;  // the cut is before a header a worker can start at
  if (cut == 0) {
    size_t whole = whole_lines(text);
    if (whole == 0) {
      // A single line longer than a block: give up cutting.
      done_ = true;
      f->parallel = false;
      f->rest_of_input = true;
      return f;
    }
    cut = find_block_cut(text.substr(0, whole), &form);
    if (cut == 0) {
      // No place to cut cleanly (one enormous goroutine, log text): this
      // block ends mid-goroutine and the next starts there, so the main
      // thread reads both.
      cut = whole;
      at_header = false;
      f->parallel = false;
    }
  }
  next_parallel_ = at_header;
  next_form_ = form;
  next_starts_goroutine1_ = at_header && starts_goroutine1(text.substr(cut));
  // A `goroutine 1` header after the first starts a new dump (parse/
  // parser.h), and a worker's parse cannot continue across one: the main
  // thread would wait for the worker only to read the block again. Go
  // prints goroutine 1 among the first of a dump, so this costs an ordinary
  // dump one block, and spares a crash loop (one per record) every one. Of
  // a block the worker reads itself, only the tail read here is searched: a
  // crash loop has a header in every tail (records are a few KiB), and the
  // worker backoff (worker_backoff.h) keeps the blocks of rarer ones on the
  // main thread after a few refusals. The tail may begin mid-line, so only
  // a header after one of its newlines counts; whether the block itself
  // starts with one, the cut before it told, whether its head was read here
  // or not (a crash that prints every goroutine is often cut right before
  // its goroutine 1).
  if (f->parallel &&
      (at_goroutine1 ||
       holds_goroutine1_after_newline(text.substr(f->unread, cut - f->unread))))
    f->parallel = false;
  if (file_) {
    offset_ += cut;
    result_->bytes -= text.size() - cut;
  } else {
    carry_.assign(text.substr(cut));
  }
  f->size = cut;
  return f;
}

std::unique_ptr<ByteSource> BlockReader::rest_from(const Fragment& f) {
  // The mapped reader has not moved past the fragment's start.
  if (file_) return make_mapped_file_source(FileExtent{file_->fd, offset_, file_->map_window_bytes});
  return std::make_unique<ContinuedSource>(f.text(), src_);
}

}  // namespace gorleak
