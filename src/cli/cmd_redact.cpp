// `gorleak redact [options] DUMP > share.txt`: the dump, fit to paste into a
// public issue (redact/redactor.h); `--check` lists what would change.
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "pipeline/load.h"
#include "read/line_reader.h"
#include "read/open_input.h"
#include "read/yaml_tree.h"
#include "redact/redactor.h"

namespace gorleak::cli {

namespace {

struct RedactArgs {
  GeneralOptions general;
  std::vector<std::string> files;
  RedactOptions redact;
  bool check = false;
};

po::options_description redact_options(RedactArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  desc.add_options()
      ("input", po::value<std::vector<std::string>>(&a->files)->value_name("FILE"),
       "the dump; `-` reads standard input (also positional)")
      ("redact", po::value<std::vector<std::string>>(&a->redact.patterns)->value_name("RE")
                     ->composing(),
       "also replace whatever this RE2 pattern matches (repeatable): host names, tenants, …")
      ("hash-paths", po::bool_switch(&a->redact.hash_paths),
       "replace your source paths by placeholders instead of module-relative paths")
      ("hash-funcs", po::bool_switch(&a->redact.hash_funcs),
       "replace the names of your own functions and packages by placeholders")
      ("module", po::value<std::vector<std::string>>(&a->redact.modules)->value_name("PREFIX")
                     ->composing(),
       "module path of your own code (repeatable); needed when it has no dot (`myservice`)")
      ("key", po::value<std::string>(&a->redact.key)->value_name("SECRET"),
       "seed the placeholders with a secret (default: $GORLEAK_REDACT_KEY, else none): "
       "without one, a guessed value can be confirmed")
      ("check", po::bool_switch(&a->check),
       "print what would be replaced, one line per distinct value, instead of the dump");
  return desc;
}

void print_help(const po::options_description& desc) {
  std::ostringstream ss;  // Boost prints option tables only to a stream
  ss << desc;
  fmt::print(
      "gorleak redact: a goroutine dump you can share\n"
      "\n"
      "Usage:\n"
      "  gorleak redact [options] DUMP > share.txt\n"
      "  gorleak redact --check [options] DUMP     list what would be replaced\n"
      "\n"
      "Writes the dump in the same form with label values, argument values, source\n"
      "paths outside GOROOT and the module caches (made relative to the module root),\n"
      "home-directory user names and whatever --redact names replaced by stable\n"
      "placeholders: the same value always gets the same placeholder, so gorleak reads\n"
      "the result as the same groups, states and counts, and diffs still match.\n"
      "See docs/redact.md.\n"
      "\n"
      "{}\n"
      "Examples:\n"
      "  gorleak redact goroutines.txt > share.txt\n"
      "  gorleak redact --hash-funcs --redact 'acme|corp\\.internal' dump.txt > share.txt\n",
      ss.str());
}

// Feeds each line to one of the Redactor's passes: learn, or rewrite into
// `out` (null: rewrite for the record of changes only, for --check).
class Pass : public LineVisitor {
 public:
  Pass(Redactor& r, bool write, std::FILE* out) : r_(r), write_(write), out_(out) {}
  void line(std::string_view text, uint64_t) override {
    if (!write_) {
      r_.learn(text);
      return;
    }
    r_.rewrite(text, &buf_);
    if (!out_) return;
    // Each line's '\n' is written before the next line, so a dump that
    // ended without one (cut short) still does.
    if (lines_++) std::fputc('\n', out_);
    std::fwrite(buf_.data(), 1, buf_.size(), out_);
  }
  void finish(bool ended_mid_line) {
    if (out_ && lines_ && !ended_mid_line) std::fputc('\n', out_);
  }
  void overlong_line(uint64_t line_no, uint64_t length) override {
    // Nothing the parser reads is that long; the line is dropped, not
    // copied unread.
    if (write_)
      fmt::print(stderr, "gorleak: warning: line {} is {} bytes long: left out\n", line_no, length);
  }

 private:
  Redactor& r_;
  bool write_;
  std::FILE* out_;
  std::string buf_;
  uint64_t lines_ = 0;
};

// One pass over the input: the file again, or the copy of standard input.
bool run_pass(const std::string& path, const std::string* stdin_copy, Pass& pass) {
  std::unique_ptr<ByteSource> source;
  Diagnostic error;
  if (stdin_copy) {
    source = make_memory_source(*stdin_copy);
  } else {
    OpenedInput in = open_input(path, kDefaultMapWindowBytes);
    if (!in.source) {
      print_error(in.error.format());
      return false;
    }
    source = std::move(in.source);
  }
  std::string head;
  if (!sniff_text(&source, path, &head, &error)) {
    print_error(error.format());
    return false;
  }
  LineReaderResult r = read_lines(*source, LoadOptions{}.max_line_bytes, pass);
  if (!r.ok) {
    print_error(fmt::format("{}: read error: {}", path, r.error));
    return false;
  }
  pass.finish(r.ended_mid_line);
  return true;
}

}  // namespace

int run_redact(int argc, char** argv) {
  RedactArgs args;
  po::options_description desc = redact_options(&args);
  po::positional_options_description pos;
  pos.add("input", -1);
  po::variables_map vm;
  std::string error;
  if (!parse_command_line(argc, argv, desc, pos, &vm, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (args.general.help) {
    print_help(desc);
    return kExitOk;
  }
  if (args.files.size() != 1) {
    print_error("redact: name one dump (see gorleak redact --help)");
    return kExitUsage;
  }
  if (args.redact.key.empty())
    if (const char* k = std::getenv("GORLEAK_REDACT_KEY")) args.redact.key = k;
  Redactor redactor;
  if (!redactor.init(args.redact, &error)) {
    print_error(error);
    return kExitUsage;
  }
  const std::string& path = args.files[0];
  // Two passes: standard input is kept in memory for the second.
  std::string copy;
  const std::string* stdin_copy = nullptr;
  if (path == "-") {
    std::ostringstream all;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) all.write(buf, static_cast<long>(n));
    copy = all.str();
    stdin_copy = &copy;
  }
  Pass learn(redactor, false, nullptr);
  if (!run_pass(path, stdin_copy, learn)) return kExitUsage;
  Pass rewrite(redactor, true, args.check ? nullptr : stdout);
  if (!run_pass(path, stdin_copy, rewrite)) return kExitUsage;
  if (args.check) {
    size_t n = 0;
    for (const Placeholders::Change& c : redactor.placeholders().changes()) {
      fmt::print("{:<15} {} -> {}  ({}×)\n", redacted_kind_name(c.kind), one_line(c.original),
                 c.replacement, c.times);
      ++n;
    }
    fmt::print(stderr, "gorleak: {} distinct {} would be replaced\n", n, n == 1 ? "value" : "values");
    return kExitOk;
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    print_error("cannot write the redacted dump to standard output");
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace gorleak::cli
