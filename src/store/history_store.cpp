#include "store/history_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "diff/signature.h"

namespace gorleak {

namespace {

// Version 1. docs/history.md describes every column; keep the two in step.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS targets (
  id      INTEGER PRIMARY KEY,
  url     TEXT NOT NULL UNIQUE,
  service TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS samples (
  id               INTEGER PRIMARY KEY,
  target           INTEGER NOT NULL REFERENCES targets(id),
  taken_at         REAL NOT NULL,
  form             TEXT NOT NULL,
  total            INTEGER NOT NULL,
  declared_total   INTEGER,
  leaked           INTEGER NOT NULL,
  truncated        INTEGER NOT NULL,
  max_goroutine_id INTEGER NOT NULL,
  go_min           INTEGER NOT NULL,
  go_max           INTEGER NOT NULL,
  gorleak          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_by_target ON samples(target, taken_at);
CREATE TABLE IF NOT EXISTS stacks (
  signature  TEXT PRIMARY KEY,
  frames     TEXT NOT NULL,
  created_by TEXT
);
CREATE TABLE IF NOT EXISTS groups (
  sample         INTEGER NOT NULL REFERENCES samples(id),
  stack          TEXT NOT NULL REFERENCES stacks(signature),
  state          TEXT NOT NULL,
  category       TEXT NOT NULL,
  state_inferred INTEGER NOT NULL,
  count          INTEGER NOT NULL,
  leaked         INTEGER NOT NULL,
  min_wait       INTEGER,
  max_wait       INTEGER,
  labels         TEXT NOT NULL,
  goroutine_ids  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS groups_by_sample ON groups(sample);
CREATE TABLE IF NOT EXISTS findings (
  sample           INTEGER NOT NULL REFERENCES samples(id),
  rule             TEXT NOT NULL,
  severity         TEXT NOT NULL,
  confidence       TEXT NOT NULL,
  count            INTEGER NOT NULL,
  state            TEXT NOT NULL,
  site_func        TEXT,
  site_file        TEXT,
  site_line        INTEGER,
  growth_confirmed INTEGER NOT NULL,
  evidence         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_by_sample ON findings(sample);
)sql";

constexpr int kBusyTimeoutMs = 10'000;

// A prepared statement, finalized on scope exit. A failure (to prepare, or
// a step) is noted in *failure at once: SQLite's message for it is gone by
// the time the error travels up (finalizing other statements resets it).
class Stmt {
 public:
  Stmt(sqlite3* db, std::string* failure, const char* sql) : db_(db), failure_(failure) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr);
    if (rc_ != SQLITE_OK) note();
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& text(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& i64(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& real(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& null(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() {
    int rc = sqlite3_step(s_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) note();
    return rc;
  }
  // Runs to completion and resets for the next bindings.
  bool run() {
    int rc = step();
    sqlite3_reset(s_);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
  }
  int64_t col_i64(int i) const { return sqlite3_column_int64(s_, i); }
  double col_real(int i) const { return sqlite3_column_double(s_, i); }
  bool col_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  std::string_view col_text(int i) const {
    const unsigned char* t = sqlite3_column_text(s_, i);
    return t ? std::string_view(reinterpret_cast<const char*>(t),
                                static_cast<size_t>(sqlite3_column_bytes(s_, i)))
             : std::string_view();
  }

 private:
  void note() {
    if (failure_->empty()) *failure_ = sqlite3_errmsg(db_);
  }
  sqlite3* db_;
  std::string* failure_;
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

std::string hex(uint64_t v) { return fmt::format("{:016x}", v); }

std::string site_text(const Catalog& c, StrId func, StrId file, uint32_t line) {
  return fmt::format("{}\t{}\t{}", c.str(func), c.str(file), line);
}

// "func\tfile\tline" back into interned ids.
bool parse_site(std::string_view text, Catalog& c, StrId* func, StrId* file, uint32_t* line) {
  size_t a = text.find('\t');
  size_t b = a == std::string_view::npos ? a : text.find('\t', a + 1);
  if (b == std::string_view::npos) return false;
  *func = c.strings.intern(text.substr(0, a));
  *file = c.strings.intern(text.substr(a + 1, b - a - 1));
  uint32_t n = 0;
  for (char ch : text.substr(b + 1)) {
    if (ch < '0' || ch > '9') return false;
    n = n * 10 + static_cast<uint32_t>(ch - '0');
  }
  *line = n;
  return true;
}

bool form_from_name(std::string_view name, Form* out) {
  for (Form f : {Form::kDebug1, Form::kDebug2, Form::kCrash, Form::kGoroutineLeak})
    if (form_name(f) == name) {
      *out = f;
      return true;
    }
  return false;
}

}  // namespace

struct HistoryStore::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::string failure;  // the first SQLite message of the current operation
  std::map<std::pair<std::string, std::string>, int64_t> targets;  // (url, service) → id

  ~Impl() {
    if (db) sqlite3_close(db);
  }

  Diagnostic error(std::string_view what) {
    std::string msg = !failure.empty() ? failure : db ? sqlite3_errmsg(db) : "out of memory";
    failure.clear();
    int code = db ? sqlite3_errcode(db) : SQLITE_NOMEM;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
      msg = fmt::format("the database is locked by another writer (waited {} s)",
                        kBusyTimeoutMs / 1000);
    else if (code == SQLITE_NOTADB)
      msg = "not a SQLite database";
    else if (code == SQLITE_READONLY)
      msg = "the database is read-only";
    return Diagnostic{Severity::kError, path, 0, 0, fmt::format("{}: {}", what, msg)};
  }

  bool exec(const char* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  }

  bool target_id(const SampleInfo& info, int64_t* id) {
    auto key = std::make_pair(info.url, info.service);
    if (auto it = targets.find(key); it != targets.end()) {
      *id = it->second;
      return true;
    }
    Stmt ins(db, &failure,
             "INSERT INTO targets(url, service) VALUES(?1, ?2) "
             "ON CONFLICT(url) DO UPDATE SET service = excluded.service "
             "WHERE excluded.service != ''");
    if (!ins.ok() || !ins.text(1, info.url).text(2, info.service).run()) return false;
    Stmt get(db, &failure, "SELECT id FROM targets WHERE url = ?1");
    if (!get.ok()) return false;
    get.text(1, info.url);
    if (get.step() != SQLITE_ROW) return false;
    *id = get.col_i64(0);
    targets[key] = *id;
    return true;
  }

  bool insert_sample(int64_t target, const SampleInfo& info, const Snapshot& s, int64_t* id) {
    Stmt st(db, &failure,
            "INSERT INTO samples(target, taken_at, form, total, declared_total, leaked, "
            "truncated, max_goroutine_id, go_min, go_max, gorleak) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!st.ok()) return false;
    st.i64(1, target)
        .real(2, info.taken_at)
        .text(3, form_name(s.form))
        .i64(4, static_cast<int64_t>(s.total));
    if (s.declared_total)
      st.i64(5, static_cast<int64_t>(*s.declared_total));
    else
      st.null(5);
    st.i64(6, static_cast<int64_t>(s.leaked))
        .i64(7, s.truncated)
        .i64(8, static_cast<int64_t>(s.max_goroutine_id))
        .i64(9, s.go_version.min_minor)
        .i64(10, s.go_version.max_minor)
        .text(11, GORLEAK_VERSION);
    if (!st.run()) return false;
    *id = sqlite3_last_insert_rowid(db);
    return true;
  }

  bool insert_groups(int64_t sample, const Snapshot& s, const Catalog& c) {
    Stmt stack(db, &failure,
               "INSERT OR IGNORE INTO stacks(signature, frames, created_by) VALUES(?1, ?2, ?3)");
    Stmt group(db, &failure,
               "INSERT INTO groups(sample, stack, state, category, state_inferred, count, "
               "leaked, min_wait, max_wait, labels, goroutine_ids) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!stack.ok() || !group.ok()) return false;
    for (const Group& g : s.groups) {
      std::string sig = hex(group_signature(c, g, SignatureMode::kExact));
      const Stack& st = c.stacks.get(g.stack);
      std::string frames;
      for (const Frame& f : st.frames) {
        if (!frames.empty()) frames += '\n';
        frames += site_text(c, f.func, f.file, f.line);
      }
      stack.text(1, sig).text(2, frames);
      if (st.created_by.present())
        stack.text(3, site_text(c, st.created_by.func, st.created_by.file, st.created_by.line));
      else
        stack.null(3);
      if (!stack.run()) return false;
      group.i64(1, sample)
          .text(2, sig)
          .text(3, c.str(g.state))
          .text(4, category_name(g.category))
          .i64(5, g.state_inferred)
          .i64(6, static_cast<int64_t>(g.count))
          .i64(7, static_cast<int64_t>(g.leaked));
      if (g.min_wait >= 0)
        group.i64(8, g.min_wait);
      else
        group.null(8);
      if (g.max_wait >= 0)
        group.i64(9, g.max_wait);
      else
        group.null(9);
      group.text(10, g.labels);
      std::string ids;
      for (uint64_t id : g.sample_ids) ids += fmt::format("{}{}", ids.empty() ? "" : " ", id);
      group.text(11, ids);
      if (!group.run()) return false;
    }
    return true;
  }

  bool insert_findings(int64_t sample, const Snapshot& s, const Catalog& c) {
    Stmt st(db, &failure,
            "INSERT INTO findings(sample, rule, severity, confidence, count, state, site_func, "
            "site_file, site_line, growth_confirmed, evidence) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!st.ok()) return false;
    for (const Finding& f : s.findings) {
      st.i64(1, sample)
          .text(2, f.rule)
          .text(3, severity_name(f.severity))
          .text(4, confidence_name(f.confidence))
          .i64(5, static_cast<int64_t>(f.count))
          .text(6, f.state);
      if (f.site.func) {
        st.text(7, c.str(f.site.func)).text(8, c.str(f.site.file)).i64(9, f.site.line);
      } else {
        st.null(7).null(8).null(9);
      }
      st.i64(10, f.growth_confirmed).text(11, f.evidence);
      if (!st.run()) return false;
    }
    return true;
  }

  // Sample ids of one target, oldest first, thinned to at most `max`.
  bool sample_ids(int64_t target, const HistoryQuery& q, std::vector<int64_t>* ids) {
    Stmt st(db, &failure,
            "SELECT id FROM samples WHERE target = ?1 AND taken_at >= ?2 ORDER BY taken_at, id");
    if (!st.ok()) return false;
    st.i64(1, target).real(2, q.since);
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) ids->push_back(st.col_i64(0));
    if (rc != SQLITE_DONE) return false;
    if (q.max_samples >= 2 && ids->size() > q.max_samples) {
      std::vector<int64_t> kept;
      for (size_t i = 0; i < q.max_samples; ++i)
        kept.push_back((*ids)[i * (ids->size() - 1) / (q.max_samples - 1)]);
      *ids = std::move(kept);
    }
    return true;
  }

  bool load_sample(int64_t id, Catalog& c, StoredSample* out) {
    Stmt head(db, &failure,
              "SELECT s.taken_at, s.form, s.total, s.declared_total, s.leaked, s.truncated, "
              "s.max_goroutine_id, s.go_min, s.go_max, t.url, t.service "
              "FROM samples s JOIN targets t ON t.id = s.target WHERE s.id = ?1");
    if (!head.ok()) return false;
    head.i64(1, id);
    if (head.step() != SQLITE_ROW) return false;
    out->id = id;
    out->info.taken_at = head.col_real(0);
    out->info.url = std::string(head.col_text(9));
    out->info.service = std::string(head.col_text(10));
    Snapshot& s = out->snapshot;
    s.source = out->info.url;
    if (!form_from_name(head.col_text(1), &s.form)) return false;
    s.total = static_cast<uint64_t>(head.col_i64(2));
    if (!head.col_null(3)) s.declared_total = static_cast<uint64_t>(head.col_i64(3));
    s.leaked = static_cast<uint64_t>(head.col_i64(4));
    s.truncated = head.col_i64(5) != 0;
    s.max_goroutine_id = static_cast<uint64_t>(head.col_i64(6));
    s.go_version.min_minor = static_cast<uint32_t>(head.col_i64(7));
    s.go_version.max_minor = static_cast<uint32_t>(head.col_i64(8));

    Stmt groups(db, &failure,
                "SELECT k.frames, k.created_by, g.state, g.category, g.state_inferred, "
                "g.count, g.leaked, g.min_wait, g.max_wait, g.labels, g.goroutine_ids "
                "FROM groups g JOIN stacks k ON k.signature = g.stack WHERE g.sample = ?1 "
                "ORDER BY g.rowid");
    if (!groups.ok()) return false;
    groups.i64(1, id);
    std::vector<Frame> frames;
    int rc;
    while ((rc = groups.step()) == SQLITE_ROW) {
      frames.clear();
      std::string_view text = groups.col_text(0);
      while (!text.empty()) {
        size_t nl = text.find('\n');
        Frame f;
        if (!parse_site(text.substr(0, nl), c, &f.func, &f.file, &f.line)) return false;
        frames.push_back(f);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
      }
      CreatedBy cb;
      if (!groups.col_null(1) && !parse_site(groups.col_text(1), c, &cb.func, &cb.file, &cb.line))
        return false;
      Group g;
      g.stack = c.stacks.intern(frames.data(), frames.size(), cb, 0, 0);
      g.state = c.strings.intern(groups.col_text(2));
      if (!category_from_name(groups.col_text(3), &g.category)) return false;
      g.state_inferred = groups.col_i64(4) != 0;
      g.count = static_cast<uint64_t>(groups.col_i64(5));
      g.leaked = static_cast<uint64_t>(groups.col_i64(6));
      g.min_wait = groups.col_null(7) ? -1 : groups.col_i64(7);
      g.max_wait = groups.col_null(8) ? -1 : groups.col_i64(8);
      g.labels = std::string(groups.col_text(9));
      // The ids tell a traceback from a count profile (diff/signature.h).
      std::string_view ids = groups.col_text(10);
      while (!ids.empty()) {
        size_t sp = ids.find(' ');
        uint64_t id = 0;
        for (char ch : ids.substr(0, sp)) id = id * 10 + static_cast<uint64_t>(ch - '0');
        g.sample_ids.push_back(id);
        ids = sp == std::string_view::npos ? std::string_view() : ids.substr(sp + 1);
      }
      s.states[static_cast<size_t>(g.category)] += g.count;
      s.groups.push_back(std::move(g));
    }
    if (rc != SQLITE_DONE) return false;

    Stmt findings(db, &failure,
                  "SELECT rule, severity, confidence, count, state, site_func, site_file, "
                  "site_line, growth_confirmed, evidence FROM findings WHERE sample = ?1 "
                  "ORDER BY rowid");
    if (!findings.ok()) return false;
    findings.i64(1, id);
    while ((rc = findings.step()) == SQLITE_ROW) {
      Finding f;
      f.rule = std::string(findings.col_text(0));
      if (!severity_from_name(findings.col_text(1), &f.severity)) return false;
      for (Confidence k :
           {Confidence::kUnconfirmed, Confidence::kLow, Confidence::kMedium, Confidence::kHigh})
        if (confidence_name(k) == findings.col_text(2)) f.confidence = k;
      f.count = static_cast<uint64_t>(findings.col_i64(3));
      f.state = std::string(findings.col_text(4));
      if (!findings.col_null(5)) {
        f.site.func = c.strings.intern(findings.col_text(5));
        f.site.file = c.strings.intern(findings.col_text(6));
        f.site.line = static_cast<uint32_t>(findings.col_i64(7));
      }
      f.growth_confirmed = findings.col_i64(8) != 0;
      f.evidence = std::string(findings.col_text(9));
      s.findings.push_back(std::move(f));
    }
    return rc == SQLITE_DONE;
  }
};

HistoryStore::HistoryStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HistoryStore::~HistoryStore() = default;

std::unique_ptr<HistoryStore> HistoryStore::open(const std::string& path, bool create,
                                                 Diagnostic* error) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
    *error = impl->error(create ? "cannot create the history database"
                                : "cannot open the history database");
    if (!create && impl->db && sqlite3_errcode(impl->db) == SQLITE_CANTOPEN)
      error->message = "no such history database (gorleak watch --db FILE creates one)";
    return nullptr;
  }
  sqlite3_busy_timeout(impl->db, kBusyTimeoutMs);
  // Statements in scopes of their own: one left open holds a read
  // transaction, and WAL cannot be switched on inside one.
  auto count = [&](const char* sql, int64_t* out) {
    Stmt st(impl->db, &impl->failure, sql);
    if (!st.ok() || st.step() != SQLITE_ROW) return false;
    *out = st.col_i64(0);
    return true;
  };
  int64_t have = 0, tables = 0;
  if (!count("PRAGMA user_version", &have) ||
      !count("SELECT count(*) FROM sqlite_master", &tables)) {
    *error = impl->error("cannot read the history database");
    return nullptr;
  }
  if (have == 0 && tables > 0) {
    // Another watcher may have created the history between the two reads
    // above: its tables and its version commit together, so read again.
    if (!count("PRAGMA user_version", &have)) {
      *error = impl->error("cannot read the history database");
      return nullptr;
    }
  }
  if (have > kStoreSchemaVersion) {
    *error = Diagnostic{Severity::kError, path, 0, 0,
                        fmt::format("history schema version {} is newer than this gorleak's ({}): "
                                    "use a newer gorleak",
                                    have, kStoreSchemaVersion)};
    return nullptr;
  }
  if (have == 0) {
    // A new file, or a SQLite file that is not ours.
    if (tables > 0) {
      *error = Diagnostic{Severity::kError, path, 0, 0,
                          "a SQLite database, but not a gorleak history (no schema version)"};
      return nullptr;
    }
    if (!create) {
      *error = Diagnostic{Severity::kError, path, 0, 0, "an empty database: no samples recorded"};
      return nullptr;
    }
    // WAL: a killed writer loses only its open transaction, readers do not
    // block writers. Both survive in the file once set.
    // Under the write lock, the version read again: a watcher started at
    // the same moment may have created the tables first.
    int64_t now = 0;
    bool ok = impl->exec("PRAGMA journal_mode=WAL") && impl->exec("BEGIN IMMEDIATE") &&
              count("PRAGMA user_version", &now);
    if (ok && now == 0)
      ok = impl->exec(kSchema) &&
           impl->exec(fmt::format("PRAGMA user_version = {}", kStoreSchemaVersion).c_str());
    if (!ok || !impl->exec("COMMIT")) {
      *error = impl->error("cannot create the history tables");
      return nullptr;
    }
  }
  impl->exec("PRAGMA synchronous=NORMAL");  // WAL: durable at each checkpoint, never corrupt
  return std::unique_ptr<HistoryStore>(new HistoryStore(std::move(impl)));
}

bool HistoryStore::record(const SampleInfo& info, const Snapshot& snapshot, const Catalog& catalog,
                          Diagnostic* error) {
  Impl& m = *impl_;
  if (!m.exec("BEGIN IMMEDIATE")) {
    *error = m.error("cannot record the sample");
    return false;
  }
  int64_t target = 0, sample = 0;
  bool ok = m.target_id(info, &target) && m.insert_sample(target, info, snapshot, &sample) &&
            m.insert_groups(sample, snapshot, catalog) &&
            m.insert_findings(sample, snapshot, catalog);
  if (ok && m.exec("COMMIT")) return true;
  *error = m.error("cannot record the sample");
  m.exec("ROLLBACK");
  m.targets.clear();  // an id learnt in the rolled-back transaction may not exist
  return false;
}

bool HistoryStore::load(const HistoryQuery& query, Catalog& catalog, std::vector<StoredSample>* out,
                        Diagnostic* error) {
  Impl& m = *impl_;
  // One read transaction: a consistent view while watchers write.
  if (!m.exec("BEGIN")) {
    *error = m.error("cannot read the history");
    return false;
  }
  Stmt targets(m.db, &m.failure, "SELECT id FROM targets WHERE ?1 = '' OR url = ?1 ORDER BY url");
  bool ok = targets.ok();
  if (ok) targets.text(1, query.url);
  int rc = SQLITE_DONE;
  while (ok && (rc = targets.step()) == SQLITE_ROW) {
    std::vector<int64_t> ids;
    ok = m.sample_ids(targets.col_i64(0), query, &ids);
    for (size_t i = 0; ok && i < ids.size(); ++i) {
      StoredSample s;
      ok = m.load_sample(ids[i], catalog, &s);
      if (ok) out->push_back(std::move(s));
    }
  }
  ok = ok && rc == SQLITE_DONE;
  if (!ok) *error = m.error("cannot read the history");
  m.exec("COMMIT");
  return ok;
}

}  // namespace gorleak
