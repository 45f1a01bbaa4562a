#include "parse/parser.h"

#include <cstdlib>

#include <fmt/format.h>

#include "model/func_name.h"
#include "parse/debug1_frame.h"
#include "parse/go_version.h"
#include "parse/labels.h"
#include "parse/line_cache.h"
#include "parse/line_syntax.h"
#include "parse/line_wrap.h"
#include "parse/log_prefix.h"
#include "parse/noise.h"
#include "parse/state_inference.h"

namespace gorleak {

namespace {
constexpr size_t kMaxDiagnostics = 32;
// No process holds 2^40 goroutines (each needs at least 2 KiB of stack): a
// larger debug=1 count is a damaged number, and counting it could make the
// totals wrap around.
constexpr uint64_t kMaxRecordCount = uint64_t{1} << 40;

// Parser-private bits beside a name's version clues (parse/go_version.h
// uses the low ones): the name was checked, and names that end a stack.
constexpr uint64_t kNameChecked = uint64_t{1} << 63;
constexpr uint64_t kNameGoexit = uint64_t{1} << 62;    // runtime.goexit: the bottom frame
constexpr uint64_t kNameMainMain = uint64_t{1} << 61;  // main.main: the bottom at level 1
constexpr uint64_t kNameBits = kNameChecked | kNameGoexit | kNameMainMain;
constexpr uint8_t kFileUnchecked = 0xff;

// The goroutine that writes a pprof debug=2 dump (runtime/pprof.
// writeGoroutineStacks, or the writer of older versions) is printed first,
// `running`: a second one is the start of another dump pasted after it.
bool is_profile_writer(const Goroutine& g, std::string_view top) {
  return g.has_id && g.category == StateCategory::kRunning && g.state == "running" &&
         top.rfind("runtime/pprof.write", 0) == 0;
}

// Number of PCs on a debug=1 record line `N @ 0x… 0x…`.
size_t record_depth(std::string_view record) {
  size_t at = record.find(" @");
  if (at == std::string_view::npos) return 0;
  size_t n = 0;
  for (size_t i = at + 2; i + 1 < record.size(); ++i)
    if (record[i] == ' ' && record[i + 1] != ' ') ++n;
  return n;
}
}  // namespace

class Parser::Impl {
 public:
  Impl(Catalog& catalog, DumpSink& sink, std::string source)
      : catalog_(catalog), sink_(sink), keep_args_(sink.wants_args()), source_(std::move(source)) {
    // A debugging aid for dump dialects we do not read yet.
    const char* trace = std::getenv("GORLEAK_TRACE_SKIPPED");
    trace_skipped_ = trace != nullptr && *trace != '\0' && *trace != '0';
  }

  void feed(std::string_view line, uint64_t no) {
    ++stats_.lines;
    last_line_no_ = no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (prefix_ == LogPrefix::kNone && feed_common(line)) {
      grammar_line(no);
      return;
    }
    feed_other(line, no);
  }

  // Out of line, so that the common case above stays a small function
  // (fewer registers saved on every line).
  [[gnu::noinline]] void feed_other(std::string_view line, uint64_t no) {
    if (prefix_ != LogPrefix::kNone) {
      feed_prefixed(line, no);
      return;
    }
    if (handle(line, no)) {
      grammar_line(no);
      return;
    }
    if (try_prefix(line, no)) return;
    skip_unplaced(line, no);
  }

  void skip_unplaced(std::string_view line, uint64_t no) {
    if (trace_skipped_ && !fragment_)
      fmt::print(stderr, "gorleak: skipped {}:{}: {}\n", source_, no, line);
    skip_line();
  }

  // In a stream with a log prefix, a line that lost its prefix usually
  // continues the one before it: a terminal or a log viewer wrapped it
  // (journald output copied from a terminal). Each prefixed line is
  // therefore held until the next one shows whether it continues
  // (parse/line_wrap.h decides), and read joined with its continuations.
  void feed_prefixed(std::string_view line, uint64_t no) {
    size_t n = prefix_length(prefix_, line);
    if (holding_) {
      if (n == 0 && continues_wrapped_line(held_, line)) {
        held_.append(line);
        return;
      }
      release_held();
    }
    if (n > 0) {
      held_.assign(line.substr(n));
      held_no_ = no;
      holding_ = true;
      return;
    }
    feed_stripped(line, no);
  }

  void release_held() {
    if (!holding_) return;
    holding_ = false;
    feed_stripped(held_, held_no_);
  }

  void feed_stripped(std::string_view line, uint64_t no) {
    if (handle(line, no)) {
      grammar_line(no);
      return;
    }
    skip_unplaced(line, no);
  }

  // The lines that make up nearly all of a dump, in the states that expect
  // them: a frame's file line, a function line, a debug=1 frame. Only a
  // line that handle() would accept the same way is taken here; anything
  // else goes the long way.
  bool feed_common(std::string_view line) {
    if (line.size() < 2) return false;
    char c = line[0];
    switch (mode_) {
      case Mode::kNeedFile:
        return c == '\t' && line[1] != '\t' && line[1] != ' ' && on_file_line(line.substr(1));
      case Mode::kFrames:
        // on_block_line() looks for these first letters before a function.
        return c > ' ' && c != 'c' && c != '.' && c != '[' && c != 'g' &&
               on_func_line(line, /*ancestor=*/false);
      case Mode::kDebug1:
        return c == '#' && on_debug1_line(line);
      default:
        return false;
    }
  }

  void grammar_line(uint64_t no) {
    if (snap_open_) {
      // Unplaceable lines between two parts of a dump belong to it.
      snap_skipped_ += pending_skips_;
      pending_skips_ = 0;
      last_grammar_line_ = no;
    }
  }

  void skip_overlong(uint64_t no, uint64_t length) {
    release_held();
    ++stats_.lines;
    last_line_no_ = no;
    end_block(false);
    skip_line();
    add_diagnostic(no, fmt::format("line of {} bytes is longer than the line limit; skipped",
                                   length));
  }

  void finish(bool cut_mid_line, uint64_t total_bytes) {
    release_held();
    bool in_block = in_goroutine_block() || mode_ == Mode::kDebug1;
    bool cut_in_block = in_block && (cut_mid_line || mode_ == Mode::kNeedFile);
    // Cut inside a token (half a header, half a file line): the last line
    // was not readable, so the block it belonged to already ended above.
    bool cut_line_lost = !cut_in_block && cut_mid_line && snap_open_ &&
                         last_grammar_line_ != last_line_no_;
    if (cut_line_lost) {
      truncated_ = true;
      if (snap_form_ == Form::kDebug2 && total_bytes == kPprofDebug2Limit) {
        add_diagnostic(last_line_no_, kPprofCutWarning);
      } else {
        add_diagnostic(last_line_no_,
                       "input ends mid-line (cut short?); the last line could not be read "
                       "and the dump may be incomplete");
      }
    }
    if (cut_in_block) {
      g_.partial = true;
      truncated_ = true;
      if (snap_form_ == Form::kDebug2 && total_bytes == kPprofDebug2Limit) {
        add_diagnostic(last_line_no_, kPprofCutWarning);
      } else {
        add_diagnostic(last_line_no_,
                       "input ends inside a goroutine (cut short?); the last goroutine "
                       "is partial");
      }
    }
    end_block(/*at_eof=*/true);
    close_snapshot();
  }

  const ParseStats& stats() const { return stats_; }

  // The line memos depend only on the catalog, so a worker's next fragment
  // can start from a fresh state and keep them.
  void take_memos(Impl& from) {
    file_lines_ = std::move(from.file_lines_);
    debug1_frames_ = std::move(from.debug1_frames_);
    name_clues_ = std::move(from.name_clues_);
    file_facts_ = std::move(from.file_facts_);
  }
  Catalog& catalog() { return catalog_; }
  DumpSink& sink() { return sink_; }
  const std::string& source() const { return source_; }

  void begin_fragment(Form form) {
    fragment_ = true;
    fragment_form_ = form;
    snap_open_ = true;
    snap_form_ = form;
  }

  bool fragment_clean() const { return fragment_clean_; }

  FragmentSummary end_fragment() {
    // A function or `created by` line waiting for its file, a race report
    // or goleak's header-then-runtime-header pair all reach into the next
    // fragment.
    if (awaits_file_line() || mode_ == Mode::kRaceReport || current_is_goleak_)
      fragment_clean_ = false;
    if (fragment_clean_) end_block(false);
    FragmentSummary f;
    f.form = fragment_form_;
    f.clean = fragment_clean_;
    f.lines = stats_.lines;
    f.last_grammar_line = last_grammar_line_;
    f.goroutines = snap_goroutines_;
    f.records = stats_.goroutines;
    f.saw_goroutine1 = seen_goroutine1_;
    f.has_leaked = snap_has_leaked_;
    f.opens_dump = fragment_opens_dump_;
    f.version = snap_version_;
    return f;
  }

  bool begin_absorb(const FragmentSummary& f) {
    if (!f.clean || fragment_ || prefix_ != LogPrefix::kNone || !snap_open_ ||
        current_is_goleak_)
      return false;
    if (awaits_file_line() || mode_ == Mode::kRaceReport) return false;
    // A crash dump continues with goroutine blocks exactly as debug=2 does.
    bool same_form = f.form == Form::kDebug2
                         ? snap_form_ == Form::kDebug2 || snap_form_ == Form::kCrash
                         : snap_form_ == f.form;
    if (!same_form) return false;
    if (seen_goroutine1_ && f.saw_goroutine1) return false;  // a second dump starts there
    // So does a profile writer, after any goroutine: also after the one still
    // in progress here, which the fragment's first line would end first.
    bool goroutine_pending = in_goroutine_block() || mode_ == Mode::kDebug1;
    if (f.opens_dump && (snap_goroutines_ > 0 || goroutine_pending)) return false;
    // What the fragment's first line would have done here.
    end_block(false);
    snap_skipped_ += pending_skips_;
    pending_skips_ = 0;
    return true;
  }

  void end_absorb(const FragmentSummary& f, uint64_t line_offset) {
    stats_.lines += f.lines;
    stats_.goroutines += f.records;
    snap_goroutines_ += f.goroutines;
    seen_goroutine1_ = seen_goroutine1_ || f.saw_goroutine1;
    snap_has_leaked_ = snap_has_leaked_ || f.has_leaked;
    snap_version_.merge(f.version);
    last_grammar_line_ = line_offset + f.last_grammar_line;
    last_line_no_ = line_offset + f.lines;
    mode_ = Mode::kOutside;
  }

 private:
  enum class Mode : unsigned char {
    kOutside,
    kFrames,              // after a header: frames, elision, created by…
    kStackEnd,            // after a stack's last possible frame (created by, goexit)
    kNeedFile,            // after a function line
    kNeedCreatedByFile,   // after `created by`
    kAncestorFrames,
    kAncestorNeedFile,
    kAncestorCreatedByFile,
    kDebug1,              // inside a `N @ …` record
    kRuntimeStack,        // `runtime stack:` g0 frames until a blank line
    kCauseText,           // continuation lines of a panic message
    kRaceReport,          // WARNING: DATA RACE … up to the next ======
  };

  // Whether the next line is read first as a file line: it may be the
  // fragment's first line (a blank line between does not end the wait), and
  // a damaged record header can read as one.
  bool awaits_file_line() const {
    return mode_ == Mode::kNeedFile || mode_ == Mode::kAncestorNeedFile ||
           mode_ == Mode::kNeedCreatedByFile || mode_ == Mode::kAncestorCreatedByFile;
  }

  bool in_goroutine_block() const {
    return mode_ != Mode::kOutside && mode_ != Mode::kDebug1 &&
           mode_ != Mode::kRuntimeStack && mode_ != Mode::kCauseText &&
           mode_ != Mode::kRaceReport;
  }

  // ---- dispatch -------------------------------------------------------

  bool handle(std::string_view line, uint64_t no) {
    // Only a line that starts with a blank can be blank after trimming.
    std::string_view t = line;
    if (line.empty() || line[0] == ' ' || line[0] == '\t') {
      t = trim_left(line);
      if (trim_right(t).empty()) {
        on_blank();
        return true;
      }
    }
    switch (mode_) {
      case Mode::kNeedFile:
      case Mode::kAncestorNeedFile:
        if (on_file_line(t)) return true;
        // A function line must be followed by its file; this one was not,
        // so it was noise that looked like a frame.
        drop_pending_function();
        end_block(false);
        break;
      case Mode::kNeedCreatedByFile:
      case Mode::kAncestorCreatedByFile:
        if (on_file_line(t)) return true;
        end_block(false);
        break;
      case Mode::kFrames:
      case Mode::kAncestorFrames:
        if (on_block_line(t)) return true;
        break;
      case Mode::kStackEnd:
        // No frame follows `created by` or runtime.goexit, and only
        // runtime.main follows main.main: a function line here begins
        // the next stack, pasted without the blank line between them.
        if (!starts_next_stack(t)) {
          mode_ = Mode::kFrames;
          if (on_block_line(t)) return true;
          break;
        }
        end_block(false);
        break;
      case Mode::kDebug1:
        if (on_debug1_line(t)) return true;
        end_block(false);
        break;
      case Mode::kRuntimeStack:
        if (!starts_with(t, "goroutine ")) return true;
        mode_ = Mode::kOutside;
        break;
      case Mode::kRaceReport:
        // Its stacks ("Read at … by goroutine 8:") are not goroutine blocks.
        if (starts_with(t, "==================")) mode_ = Mode::kOutside;
        return true;
      case Mode::kCauseText:
        if (line.front() == '\t' || line.front() == ' ') {
          append_cause_line(t);
          return true;
        }
        mode_ = Mode::kOutside;
        break;
      case Mode::kOutside:
        break;
    }
    return on_starter(t, no);
  }

  // Lines that may start something wherever we are.
  bool on_starter(std::string_view t, uint64_t no) {
    HeaderLine h;
    if (t[0] == 'g' && parse_header(t, &h)) {
      start_goroutine(h, no, /*goleak=*/false);
      return true;
    }
    if ((t[0] == 'G' || t[0] == '[') && parse_goleak_header(t, &h)) {
      start_goroutine(h, no, /*goleak=*/true);
      return true;
    }
    uint64_t count = 0;
    if (t[0] >= '0' && t[0] <= '9' && parse_debug1_record(t, &count)) {
      if (count == 0 || count > kMaxRecordCount) {
        end_block(false);
        add_diagnostic(no, count == 0 ? std::string("a record of 0 goroutines; skipped")
                                      : fmt::format("goroutine count {} is impossible (more "
                                                    "than 2^40); record skipped",
                                                    t.substr(0, t.find(' '))));
        return false;
      }
      start_debug1_record(count, no);
      if (record_depth(t) > 32) g_version_.add(VersionClue::kDeepDebug1);
      return true;
    }
    ProfileHeader ph;
    if (parse_profile_header(t, &ph)) {
      end_block(false);
      close_snapshot();
      SnapshotStart s;
      s.form = ph.name == "goroutineleak" ? Form::kGoroutineLeak : Form::kDebug1;
      s.line = no;
      s.declared_total = ph.total;
      open_snapshot(s);
      if (s.form == Form::kGoroutineLeak) snap_version_.add(VersionClue::kLeakProfile);
      return true;
    }
    if (CrashStart c = crash_start(t); c != CrashStart::kNone) {
      on_crash_start(c, t, no);
      return true;
    }
    FuncLine f;
    if (parse_func_line(t, &f)) {
      start_headerless(no);
      return on_block_line(t);
    }
    if (starts_with(t, "WARNING: DATA RACE")) {
      end_block(false);
      mode_ = Mode::kRaceReport;
      return true;
    }
    if (t == "runtime stack:") {
      mode_ = Mode::kRuntimeStack;
      return true;
    }
    if (is_known_noise(t)) return true;
    return false;
  }

  // Inside a goroutine block, after a header or a complete frame.
  bool on_block_line(std::string_view t) {
    bool ancestor = mode_ == Mode::kAncestorFrames;
    switch (t[0]) {
      case 'c': {
        CreatedByLine cb;
        if (parse_created_by(t, &cb)) {
          if (!ancestor) note_created_by(cb);
          CreatedBy& dst = ancestor ? g_.ancestors.back().created_by : g_.created_by;
          dst.func = catalog_.strings.intern(cb.func);
          dst.has_parent = cb.has_parent;
          dst.parent_id = cb.parent_id;
          mode_ = ancestor ? Mode::kAncestorCreatedByFile : Mode::kNeedCreatedByFile;
          return true;
        }
        break;
      }
      case '.': {
        int32_t n = 0;
        if (parse_elision(t, &n)) {
          if (!ancestor) {
            g_.elided_count = n;
            g_.elided_at = static_cast<uint32_t>(g_.frames.size());
            g_version_.add(n < 0 ? VersionClue::kElidedAdditional : VersionClue::kElidedCount);
          }
          return true;
        }
        break;
      }
      case '[': {
        uint64_t id = 0;
        if (parse_ancestor_header(t, &id)) {
          g_.ancestors.emplace_back();
          g_.ancestors.back().id = id;
          mode_ = Mode::kAncestorFrames;
          return true;
        }
        break;
      }
      case 'g':
        if (starts_with(t, "goroutine running on other thread")) {
          g_.stack_unavailable = true;
          return true;
        }
        if (current_is_goleak_ && g_.frames.empty()) {
          // goleak prints its own "Goroutine N in state …" line and then,
          // in most versions, the runtime's header for the same goroutine.
          HeaderLine h;
          if (parse_header(t, &h) && h.id == g_.id) return true;
        }
        break;
      default:
        break;
    }
    if (on_func_line(t, ancestor) || on_joined_frame(t, ancestor)) return true;
    end_block(false);
    return false;
  }

  // A frame pasted on one line, `FUNC(ARGS) FILE:LINE` (hand-abridged
  // dumps in issues): its function line and its file line.
  bool on_joined_frame(std::string_view t, bool ancestor) {
    std::string_view func_part;
    FileLine fl;
    if (!split_joined_frame(t, &func_part, &fl)) return false;
    if (!on_func_line(func_part, ancestor)) return false;
    return on_file_line(trim_left(t.substr(func_part.size())));
  }


  [[gnu::always_inline]] bool on_func_line(std::string_view t, bool ancestor) {
    FuncLine f;
    if (!split_func_line(t, &f)) return false;
    pending_func_id_ = function_id(f.func);
    if (pending_func_id_ == 0) return false;
    pending_flags_ = f.inlined ? Frame::kInlined : 0;
    if (g_.frames.empty() && !ancestor) note_args(f.args);
    if (keep_args_) {
      pending_args_ = f.args;
      g_.args_text.append(f.args);
    }
    mode_ = ancestor ? Mode::kAncestorNeedFile : Mode::kNeedFile;
    return true;
  }

  // The id of a function line's name, or 0 when the name has a blank and
  // the line is therefore not a function line. A name is checked for
  // blanks only the first time: afterwards its id is marked as checked,
  // with the version clues of the name (parse/go_version.h) beside it.
  [[gnu::always_inline]] StrId function_id(std::string_view name) {
    StrId id;
    if (catalog_.strings.find(name, &id) && id < name_clues_.size() && name_clues_[id] != 0) {
      pending_name_bits_ = name_clues_[id];
      g_clues_ |= pending_name_bits_;
      return id;
    }
    return new_function_id(name);
  }

  [[gnu::noinline]] StrId new_function_id(std::string_view name) {
    if (name.empty() || symbol_has_blank(name)) return 0;
    StrId id = catalog_.strings.intern(name);
    note_function(id);
    return id;
  }

  // Records the version clues of a function name the first time it is seen.
  void note_function(StrId id) {
    if (id >= name_clues_.size()) name_clues_.resize(id + 1 + id / 2);
    if (name_clues_[id] == 0) {
      std::string_view name = catalog_.str(id);
      name_clues_[id] = kNameChecked | function_clues(name) |
                        (name == "runtime.goexit" ? kNameGoexit : 0) |
                        (name == "main.main" ? kNameMainMain : 0);
    }
    pending_name_bits_ = name_clues_[id];
    g_clues_ |= pending_name_bits_;
  }

  // Whether `t`, after the last frame a stack can have, begins another
  // stack: a function line other than runtime.main below main.main.
  bool starts_next_stack(std::string_view t) const {
    FuncLine f;
    if (!parse_func_line(t, &f)) return false;
    return !((stack_end_bits_ & kNameMainMain) && f.func == "runtime.main");
  }

  // `in goroutine N` exists from 1.21; before, a goroutine started by an
  // ordinary function (one that never runs on a system stack) had none.
  void note_created_by(const CreatedByLine& cb) {
    if (cb.has_parent || cb.parent_masked) {
      g_version_.add(VersionClue::kInGoroutine);
    } else if (cb.func.find('.') != std::string_view::npos && !is_stdlib_func(cb.func) &&
               !is_runtime_func(cb.func)) {
      g_version_.add(VersionClue::kCreatedByNoParent);
    }
  }

  // Register-ABI arguments (1.17+) print aggregates in braces; 1.18 marks
  // values that may be wrong with `?`. Once the snapshot holds both clues,
  // looking again cannot add to them.
  void note_args(std::string_view args) {
    constexpr uint64_t kBoth =
        clue_bit(VersionClue::kArgsAggregate) | clue_bit(VersionClue::kArgsUnsure);
    if (((snap_version_.clues | g_version_.clues) & kBoth) == kBoth) return;
    for (char c : args) {
      if (c == '{') g_version_.add(VersionClue::kArgsAggregate);
      else if (c == '?') g_version_.add(VersionClue::kArgsUnsure);
    }
  }

  // Records what a file path says about the Go version (its GOROOT). One
  // binary has one GOROOT, so the first file of a goroutine that names one
  // is enough (g_goroot_noted_): the frames after it need no lookup.
  void note_file(StrId id) {
    uint8_t facts = id < file_facts_.size() ? file_facts_[id] : kFileUnchecked;
    if (facts == 0) return;
    if (facts == kFileUnchecked) facts = check_file(id);
    add_file_facts(facts, &g_version_);
    g_goroot_noted_ = facts != 0;
  }
  [[gnu::noinline]] uint8_t check_file(StrId id) {
    if (id >= file_facts_.size()) file_facts_.resize(id + 1 + id / 2, kFileUnchecked);
    return file_facts_[id] = file_version_facts(catalog_.str(id));
  }

  bool on_file_line(std::string_view t) {
    Frame known;
    uint64_t hash;
    StrId file;
    uint32_t line;
    if (file_lines_.find(t, &known, &hash)) {
      file = known.file;
      line = known.line;
    } else {
      FileLine fl;
      bool plain = parse_file_line(t, &fl);
      if (!plain) {
        if (t.find("](") == std::string_view::npos || !strip_markdown_links(t, &scratch_) ||
            !parse_file_line(scratch_, &fl))
          return false;
      }
      file = catalog_.strings.intern(fl.file);
      line = fl.line;
      if (plain) file_lines_.insert(t, hash, Frame{0, file, line, 0});
    }
    switch (mode_) {
      case Mode::kNeedFile: {
        push_frame({pending_func_id_, file, line, pending_flags_});
        if (keep_args_) push_args(pending_args_);
        if (!g_goroot_noted_) note_file(file);
        if (pending_name_bits_ & (kNameGoexit | kNameMainMain)) {
          stack_end_bits_ = pending_name_bits_;
          mode_ = Mode::kStackEnd;
        } else {
          mode_ = Mode::kFrames;
        }
        break;
      }
      case Mode::kAncestorNeedFile:
        g_.ancestors.back().frames.push_back({pending_func_id_, file, line, pending_flags_});
        mode_ = Mode::kAncestorFrames;
        break;
      case Mode::kNeedCreatedByFile:
        g_.created_by.file = file;
        g_.created_by.line = line;
        stack_end_bits_ = 0;
        mode_ = Mode::kStackEnd;
        break;
      case Mode::kAncestorCreatedByFile:
        g_.ancestors.back().created_by.file = file;
        g_.ancestors.back().created_by.line = line;
        mode_ = Mode::kAncestorFrames;
        break;
      default:
        return false;
    }
    return true;
  }

  // Frames are hashed as they arrive (see Goroutine::frames_hash), while
  // the parser still works on the goroutine, not later in one burst.
  void push_frame(const Frame& f) {
    if (g_.frames_hashed == g_.frames.size()) {
      g_.frames_hash = stack_hash_add(g_.frames_hash, f);
      ++g_.frames_hashed;
    }
    g_.frames.push_back(f);
  }

  // The arguments of the frame just pushed, which end args_text (a debug=1
  // frame has none).
  void push_args(std::string_view args) {
    uint32_t len = static_cast<uint32_t>(args.size());
    g_.args.push_back({static_cast<uint32_t>(g_.args_text.size() - len), len});
  }

  void drop_pending_function() {
    g_.args_text.resize(g_.args_text.size() - pending_args_.size());
    // Already taken back: end_block() must not take it again.
    pending_args_ = {};
    skip_line();
    if (headerless_ && g_.frames.empty()) {
      mode_ = Mode::kOutside;  // it was not a stack after all
      headerless_ = false;
    }
  }

  void on_blank() {
    // Blocks are separated by one blank line, but Jenkins-style double
    // spacing puts one after every line; a block therefore ends at the next
    // line that cannot continue it, not at the blank itself.
    switch (mode_) {
      case Mode::kDebug1:
        end_block(false);
        break;
      case Mode::kRuntimeStack:
      case Mode::kCauseText:
        mode_ = Mode::kOutside;
        break;
      default:
        break;
    }
  }

  bool try_prefix(std::string_view line, uint64_t no) {
    size_t n = 0;
    LogPrefix kind = detect_prefix(line, &n);
    if (kind == LogPrefix::kNone) return false;
    std::string_view rest = trim_left(line.substr(n));
    HeaderLine h;
    ProfileHeader ph;
    bool dumpish = parse_header(rest, &h) || parse_goleak_header(rest, &h) ||
                   parse_profile_header(rest, &ph) || crash_start(rest) != CrashStart::kNone;
    if (!dumpish) return false;
    prefix_ = kind;
    if (!handle(line.substr(n), no)) return false;
    add_diagnostic(no, fmt::format("stripped a {} prefix from every line", prefix_name(kind)),
                   Severity::kNote);
    return true;
  }

  // ---- goroutine blocks -------------------------------------------------

  void start_goroutine(const HeaderLine& h, uint64_t no, bool goleak) {
    if (!goleak && current_is_goleak_ && in_goroutine_block() && g_.frames.empty() &&
        g_.id == h.id) {
      return;  // goleak <= 1.2.1 repeats the runtime header after its own line
    }
    end_block(false);
    ensure_snapshot_for(h, no, goleak);
    begin_goroutine();
    headerless_ = false;
    g_.has_id = !h.id_masked;
    g_.id = h.id;
    g_.line_no = no;
    g_.state.assign(h.reason);
    g_.category = categorize_state(h.reason);
    g_.wait_minutes = h.wait_minutes;
    g_.locked_to_thread = h.locked_to_thread;
    g_.leaked = h.leaked;
    g_.durable = h.durable;
    g_.bubble = h.bubble;
    if (!h.labels.empty()) normalize_labels(h.labels, &g_.labels);
    if (h.id_overflow)
      add_diagnostic(no, "goroutine id does not fit in 64 bits; shown as 18446744073709551615");
    if (h.unknown_items && unknown_items_reported_++ == 0)
      add_diagnostic(no, fmt::format("unrecognised item in goroutine header state: {}",
                                     h.reason),
                     Severity::kNote);
    note_header(h);
    current_is_goleak_ = goleak;
    mode_ = Mode::kFrames;
    block_prev_line_ = last_grammar_line_;
    last_grammar_line_ = no;
  }

  // Starts reading a goroutine: a fresh one, and no clues yet.
  void begin_goroutine() {
    g_.clear();
    g_version_ = VersionEvidence{};
    g_clues_ = 0;
    g_goroot_noted_ = false;
  }

  void note_header(const HeaderLine& h) {
    uint64_t c = state_clues(h.reason);
    if (h.has_gp) c |= clue_bit(VersionClue::kGpField);
    if (h.leaked) c |= clue_bit(VersionClue::kLeaked);
    if (h.synctest_qualifier) c |= clue_bit(VersionClue::kSynctestQualifier);
    else if (h.durable) c |= clue_bit(VersionClue::kDurable);
    if (h.bubble >= 0)
      c |= clue_bit(h.bubble_is_group ? VersionClue::kSynctestGroup : VersionClue::kSynctestBubble);
    if (!h.labels.empty())
      c |= clue_bit(h.labels_quoted_keys ? VersionClue::kLabelsInBracket
                                         : VersionClue::kLabelsAfterBracket);
    g_version_.clues |= c;
  }

  void ensure_snapshot_for(const HeaderLine& h, uint64_t no, bool goleak) {
    bool need_new = !snap_open_ || snap_form_ == Form::kDebug1 ||
                    (snap_form_ == Form::kGoroutineLeak && snap_from_profile_header_);
    // A second `goroutine 1` means a second dump (repeated SIGQUIT, two
    // runtime.Stack calls); goroutine 0 repeats once per thread legitimately.
    if (!need_new && h.id == 1 && seen_goroutine1_ && !goleak) need_new = true;
    if (need_new) {
      close_snapshot();
      SnapshotStart s;
      s.form = Form::kDebug2;
      s.line = no;
      if (goleak) s.cause = "goleak: found unexpected goroutines";
      open_snapshot(s);
    }
    if (h.id == 1 && !goleak) seen_goroutine1_ = true;
    if (goleak) snap_leak_report_ = LeakReport::kGoleak;
  }

  // etcd-style leak checks and hand-pasted excerpts print stacks with no
  // `goroutine N [...]:` line. A function line followed by its file line
  // is still a goroutine, of unknown id and state; a lone function-looking
  // line is dropped again when no file line follows.
  void start_headerless(uint64_t no) {
    if (!snap_open_) {
      SnapshotStart s;
      s.form = Form::kDebug2;
      s.line = no;
      open_snapshot(s);
    }
    begin_goroutine();
    g_.line_no = no;
    mode_ = Mode::kFrames;
    headerless_ = true;
  }

  void start_debug1_record(uint64_t count, uint64_t no) {
    end_block(false);
    if (!snap_open_ || (snap_form_ != Form::kDebug1 && snap_form_ != Form::kGoroutineLeak)) {
      close_snapshot();
      SnapshotStart s;
      s.form = Form::kDebug1;
      s.line = no;
      open_snapshot(s);
    }
    begin_goroutine();
    g_.count = count;
    g_.line_no = no;
    g_.leaked = snap_form_ == Form::kGoroutineLeak;
    mode_ = Mode::kDebug1;
    last_grammar_line_ = no;
  }

  bool on_debug1_line(std::string_view t) {
    if (t[0] == '#' || t[0] == '0') {
      Frame known;
      uint64_t hash;
      if (debug1_frames_.find(t, &known, &hash)) {
        push_frame(known);
        if (keep_args_) push_args({});
        note_debug1_frame(known);
        return true;
      }
      std::string_view labels;
      if (parse_debug1_labels(t, &labels)) {
        normalize_labels(labels, &g_.labels);
        return true;
      }
      Debug1Frame f;
      if (parse_debug1_frame(t, &f)) {
        Frame fr = intern_debug1_frame(f, catalog_.strings);
        debug1_frames_.insert(t, hash, fr);
        push_frame(fr);
        if (keep_args_) push_args({});
        note_debug1_frame(fr);
        return true;
      }
    }
    return false;
  }

  void note_debug1_frame(const Frame& f) {
    if (f.func == 0) return;
    note_function(f.func);
    note_file(f.file);
  }

  // Emits the goroutine being read, if any.
  void end_block(bool at_eof) {
    if (mode_ == Mode::kOutside || mode_ == Mode::kRuntimeStack || mode_ == Mode::kCauseText ||
        mode_ == Mode::kRaceReport) {
      mode_ = Mode::kOutside;
      return;
    }
    if (mode_ == Mode::kNeedFile) {
      if (at_eof) {
        // Cut short between a function and its file line: keep what we know.
        Frame fr{pending_func_id_, 0, 0, pending_flags_};
        g_.frames.push_back(fr);
        if (keep_args_) push_args(pending_args_);
      } else {
        g_.args_text.resize(g_.args_text.size() - pending_args_.size());
      }
    } else if (mode_ == Mode::kAncestorNeedFile) {
      g_.args_text.resize(g_.args_text.size() - pending_args_.size());
    }
    bool debug1 = mode_ == Mode::kDebug1;
    mode_ = Mode::kOutside;
    bool headerless = headerless_;
    headerless_ = false;
    if (headerless && g_.frames.empty()) return;
    if (debug1) {
      // Hidden runtime frames: debug=1 prints no state, so guess it.
      std::string_view top, next;
      size_t i = 0;
      while (i < g_.frames.size() && g_.frames[i].func == 0) ++i;
      if (i < g_.frames.size()) top = catalog_.str(g_.frames[i].func);
      if (i + 1 < g_.frames.size()) next = catalog_.str(g_.frames[i + 1].func);
      InferredState s = infer_state(top, next);
      g_.state.assign(s.reason);
      g_.category = s.category;
      g_.state_inferred = !s.reason.empty();
    }
    if (!current_is_goleak_ && !g_.frames.empty() &&
        is_profile_writer(g_, catalog_.str(g_.frames[0].func))) {
      if (snap_goroutines_ > 0) split_before_goroutine();
      else if (fragment_) fragment_opens_dump_ = true;
    }
    note_goroutine_clues();
    if (g_.leaked) snap_has_leaked_ = true;
    snap_goroutines_ += g_.count;
    ++stats_.goroutines;
    sink_.goroutine(g_);
    current_is_goleak_ = false;
  }

  // The goroutine being emitted begins another dump (two pprof dumps
  // concatenated, `cat idle.txt after.txt`): the current snapshot ends at
  // the line before its header and a new one starts there.
  void split_before_goroutine() {
    uint64_t end = last_grammar_line_;
    uint64_t pending = pending_skips_;
    pending_skips_ = 0;
    last_grammar_line_ = block_prev_line_;
    close_snapshot();
    SnapshotStart s;
    s.form = Form::kDebug2;
    s.line = g_.line_no;
    open_snapshot(s);
    last_grammar_line_ = end;
    pending_skips_ = pending;
  }

  // The goroutine's version clues join the snapshot's. Its frames are
  // paired with its printed state here: before 1.20 every sync lock
  // waited in `semacquire`, and before 1.24 WaitGroup.Wait did.
  void note_goroutine_clues() {
    uint64_t clues = g_clues_ & ~kNameBits;
    if (!g_.state_inferred && g_.category == StateCategory::kSemacquire &&
        g_.state == "semacquire") {
      if (clues & clue_bit(VersionClue::kFrameWaitGroupWait))
        clues |= clue_bit(VersionClue::kSemacquireWaitGroup);
      if (clues & clue_bit(VersionClue::kFrameSyncLock))
        clues |= clue_bit(VersionClue::kSemacquireLock);
    }
    g_version_.clues |= clues;
    snap_version_.merge(g_version_);
    g_version_ = VersionEvidence{};
    g_clues_ = 0;
  }

  // ---- snapshots --------------------------------------------------------

  void on_crash_start(CrashStart c, std::string_view t, uint64_t no) {
    fragment_clean_ = fragment_clean_ && !fragment_;
    end_block(false);
    // A nested panic (`panic: x [recovered]` then `panic: y`) or a signal
    // line right after a fatal error belongs to the same crash.
    bool same_crash = snap_open_ && snap_form_ == Form::kCrash && snap_goroutines_ == 0;
    if (c == CrashStart::kGoleak) {
      close_snapshot();
      SnapshotStart s;
      s.form = Form::kDebug2;
      s.line = no;
      s.cause = "goleak: found unexpected goroutines";
      open_snapshot(s);
      snap_leak_report_ = LeakReport::kGoleak;
      return;
    }
    if (same_crash) {
      append_cause_line(t);
    } else {
      close_snapshot();
      SnapshotStart s;
      s.form = Form::kCrash;
      s.line = no;
      s.cause.assign(t.substr(0, 512));
      open_snapshot(s);
    }
    // synctest (1.24 with GOEXPERIMENT=synctest, 1.25+): the bubble's main
    // goroutine returned while others stayed blocked; the panic prints them.
    // "deadlock: all goroutines in bubble are blocked" (1.24+): the
    // bubble's main goroutine is blocked too, and nothing in the bubble
    // can wake any of them.
    if (c == CrashStart::kPanic &&
        (t.find("main bubble goroutine has exited but blocked goroutines remain") !=
             std::string_view::npos ||
         t.find("deadlock: all goroutines in bubble are blocked") != std::string_view::npos))
      snap_leak_report_ = LeakReport::kSynctest;
    // The runtime's deadlock check (checkdead): no goroutine can run, none
    // is in a system call or the network poller, and no timer is pending.
    // Every goroutine the crash lists is stuck for good.
    if (t.starts_with("fatal error: all goroutines are asleep - deadlock!"))
      snap_leak_report_ = LeakReport::kDeadlock;
    mode_ = c == CrashStart::kPanic ? Mode::kCauseText : Mode::kOutside;
  }

  void append_cause_line(std::string_view t) {
    if (cause_.size() > 2048) return;
    cause_.append(cause_.empty() ? "" : "\n");
    cause_.append(t.substr(0, 512));
  }

  void open_snapshot(const SnapshotStart& s) {
    fragment_clean_ = fragment_clean_ && !fragment_;
    snap_open_ = true;
    snap_form_ = s.form;
    snap_from_profile_header_ = s.declared_total.has_value();
    snap_declared_total_ = s.declared_total;
    snap_first_line_ = s.line;
    snap_goroutines_ = 0;
    snap_skipped_ = 0;
    snap_has_leaked_ = false;
    snap_version_ = VersionEvidence{};
    snap_leak_report_ = LeakReport::kNone;
    seen_goroutine1_ = false;
    truncated_ = false;
    unknown_items_reported_ = 0;
    cause_ = s.cause;
    pending_skips_ = 0;
    last_grammar_line_ = s.line;
    ++stats_.snapshots;
    // The cause may still grow (multi-line panics); it is re-sent at the end.
    sink_.begin_snapshot(s);
  }

  void close_snapshot() {
    if (!snap_open_) return;
    fragment_clean_ = fragment_clean_ && !fragment_;
    snap_open_ = false;
    SnapshotEnd e;
    e.form = snap_form_;
    if (e.form == Form::kDebug2 && snap_has_leaked_) e.form = Form::kGoroutineLeak;
    e.last_line = last_grammar_line_;
    e.skipped_lines = snap_skipped_;
    stats_.skipped_lines += snap_skipped_;
    outside_skips_ += pending_skips_;
    pending_skips_ = 0;
    if (snap_declared_total_ && snap_goroutines_ != *snap_declared_total_) {
      if (snap_goroutines_ < *snap_declared_total_) truncated_ = true;
      add_diagnostic(snap_first_line_,
                     fmt::format("profile header says total {} but the records add up to {}{}",
                                 *snap_declared_total_, snap_goroutines_,
                                 snap_goroutines_ < *snap_declared_total_
                                     ? " (dump cut short?)" : ""));
    }
    if (dropped_diagnostics_ > 0)
      diagnostics_.push_back({Severity::kNote, source_, 0, 0,
                              fmt::format("{} more warnings not shown", dropped_diagnostics_)});
    e.truncated = truncated_;
    e.go_version = go_version_of(snap_version_);
    e.leak_report = snap_leak_report_;
    e.diagnostics = std::move(diagnostics_);
    e.cause = cause_;
    diagnostics_.clear();
    dropped_diagnostics_ = 0;
    sink_.end_snapshot(e);
  }

  // infer_go_version() formats its basis each time; a crash loop closes a
  // snapshot per record, each with the evidence of the one before.
  const GoVersionRange& go_version_of(const VersionEvidence& v) {
    if (v.clues != version_memo_evidence_.clues ||
        v.goroot_minors != version_memo_evidence_.goroot_minors) {
      version_memo_ = infer_go_version(v);
      version_memo_evidence_ = v;
    }
    return version_memo_;
  }

  void skip_line() {
    fragment_clean_ = fragment_clean_ && !fragment_;
    if (snap_open_) ++pending_skips_;
    else ++outside_skips_;
    stats_.skipped_lines_outside = outside_skips_;
  }

  void add_diagnostic(uint64_t line, std::string message,
                      Severity severity = Severity::kWarning) {
    fragment_clean_ = fragment_clean_ && !fragment_;
    if (diagnostics_.size() >= kMaxDiagnostics) {
      ++dropped_diagnostics_;
      return;
    }
    diagnostics_.push_back({severity, source_, line, 0, std::move(message)});
  }

  Catalog& catalog_;
  DumpSink& sink_;
  bool trace_skipped_ = false;
  bool fragment_ = false;  // a worker's parse of part of the input
  bool fragment_clean_ = true;
  const bool keep_args_;  // the sink reads Goroutine::args
  Form fragment_form_ = Form::kDebug2;
  std::string source_;
  ParseStats stats_;
  LogPrefix prefix_ = LogPrefix::kNone;
  Mode mode_ = Mode::kOutside;
  Goroutine g_;
  bool current_is_goleak_ = false;
  bool headerless_ = false;
  std::string scratch_;
  // Parsed results of lines seen before: file lines (file and line of a
  // Frame) and whole debug=1 frames.
  LineCache<Frame> file_lines_{LineCache<Frame>::kDefaultEntries, LineCache<Frame>::kDefaultKeyBytes,
                               LineCache<Frame>::kCeilingEntries, LineCache<Frame>::kCeilingKeyBytes};
  LineCache<Frame> debug1_frames_{LineCache<Frame>::kDefaultEntries,
                                  LineCache<Frame>::kDefaultKeyBytes,
                                  LineCache<Frame>::kCeilingEntries,
                                  LineCache<Frame>::kCeilingKeyBytes};
  // By StrId: names that passed symbol_has_blank() as function names
  // (kNameChecked), with their version clues and kName* bits; 0 unchecked.
  std::vector<uint64_t> name_clues_;
  // By StrId: file_version_facts() of file names, kFileUnchecked if unseen.
  std::vector<uint8_t> file_facts_;
  // Holding a prefixed line until the next shows whether it continues.
  bool holding_ = false;
  std::string held_;
  uint64_t held_no_ = 0;

  StrId pending_func_id_ = 0;
  uint64_t pending_name_bits_ = 0;  // name_clues_ of pending_func_id_
  uint64_t stack_end_bits_ = 0;     // name_clues_ of the frame before kStackEnd
  uint64_t g_clues_ = 0;            // name bits of the goroutine's frames, ORed
  VersionEvidence g_version_;       // the goroutine's other clues
  bool g_goroot_noted_ = false;     // a file of this goroutine named its GOROOT
  uint8_t pending_flags_ = 0;
  std::string_view pending_args_;

  bool snap_open_ = false;
  Form snap_form_ = Form::kDebug2;
  bool snap_from_profile_header_ = false;
  std::optional<uint64_t> snap_declared_total_;
  uint64_t snap_first_line_ = 0;
  uint64_t snap_goroutines_ = 0;
  uint64_t snap_skipped_ = 0;
  bool snap_has_leaked_ = false;
  VersionEvidence snap_version_;
  // go_version_of()'s last answer, starting as the answer for no evidence.
  VersionEvidence version_memo_evidence_;
  GoVersionRange version_memo_ = infer_go_version(VersionEvidence{});
  LeakReport snap_leak_report_ = LeakReport::kNone;
  bool fragment_opens_dump_ = false;  // the fragment's first goroutine writes a profile
  uint64_t block_prev_line_ = 0;      // last grammar line before the goroutine's header
  bool seen_goroutine1_ = false;
  bool truncated_ = false;
  int unknown_items_reported_ = 0;
  std::string cause_;
  uint64_t pending_skips_ = 0;
  uint64_t outside_skips_ = 0;
  uint64_t last_grammar_line_ = 0;
  uint64_t last_line_no_ = 0;
  std::vector<Diagnostic> diagnostics_;
  size_t dropped_diagnostics_ = 0;
};

Parser::Parser(Catalog& catalog, DumpSink& sink, std::string source_name)
    : impl_(std::make_unique<Impl>(catalog, sink, std::move(source_name))) {}
Parser::~Parser() = default;
void Parser::feed(std::string_view line, uint64_t line_no) { impl_->feed(line, line_no); }
void Parser::skip_overlong(uint64_t line_no, uint64_t length) {
  impl_->skip_overlong(line_no, length);
}
void Parser::finish(bool cut_mid_line, uint64_t total_bytes) {
  impl_->finish(cut_mid_line, total_bytes);
}
const ParseStats& Parser::stats() const { return impl_->stats(); }
void Parser::begin_fragment(Form form) {
  // Every fragment starts from a brand-new state (no field can be left
  // over from the last one), keeping only the line memos.
  auto next = std::make_unique<Impl>(impl_->catalog(), impl_->sink(), impl_->source());
  next->take_memos(*impl_);
  impl_ = std::move(next);
  impl_->begin_fragment(form);
}
bool Parser::fragment_clean() const { return impl_->fragment_clean(); }
FragmentSummary Parser::end_fragment() { return impl_->end_fragment(); }
bool Parser::begin_absorb(const FragmentSummary& f) { return impl_->begin_absorb(f); }
void Parser::end_absorb(const FragmentSummary& f, uint64_t line_offset) {
  impl_->end_absorb(f, line_offset);
}

}  // namespace gorleak
