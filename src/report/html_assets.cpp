// The HTML report's style sheet and script (html_writer.h), kept apart from
// the writer so the C++ stays short. Neither may contain "</" followed by
// "script" or "style": they are pasted into those elements as they are.
#include <string_view>

namespace gorleak {

extern const std::string_view kHtmlStyle;
extern const std::string_view kHtmlScript;

const std::string_view kHtmlStyle = R"CSS(
:root{--fg:#1d2330;--muted:#5d6778;--line:#dfe3ea;--bg:#f6f7f9;--card:#fff;--red:#c62828;--amber:#b26a00;--blue:#2f5fb3;--green:#2e7d32;--user:#fff4c2;--mono:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1180px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:0}h2{font-size:17px;margin:0 0 4px;word-break:break-all}h3{font-size:15px;margin:0 0 8px}
.top{display:flex;gap:12px;align-items:baseline;flex-wrap:wrap;margin-bottom:12px}.sub{color:var(--muted);margin:0;word-break:break-all}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:12px 0}
section.snapshot{background:none;border:0;padding:0}
.meta{color:var(--muted);margin:0 0 6px}.warn{color:var(--amber)}.muted{color:var(--muted)}
.verdict{font-weight:600;padding:8px 12px;border-radius:6px;background:#eef6ee;color:var(--green)}.verdict.bad{background:#fdecea;color:var(--red)}
.finding{border-top:1px solid var(--line);padding:10px 0}.finding:first-of-type{border-top:0}
.finding header{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.sev,.status{font:600 11px/1 var(--mono);text-transform:uppercase;padding:4px 6px;border-radius:4px;color:#fff;background:var(--blue)}
.sev-critical,.sev-high,.status-stayed,.status-new,.status-grown{background:var(--red)}.sev-medium{background:var(--amber)}
.status-drained,.status-gone,.status-shrunk{background:var(--green)}.status-same{background:#8a94a6}
.rule{font:600 13px var(--mono)}.facts{margin:4px 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0 0}dt{color:var(--muted)}dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.mono,.func,.loc,.frames{font-family:var(--mono);font-size:12.5px}
.bar-row{display:grid;grid-template-columns:130px 1fr 150px;gap:8px;align-items:center;margin:3px 0}
.bar-track{background:#eceff4;border-radius:3px;height:14px;overflow:hidden}.bar{display:block;height:100%;background:var(--blue)}
.bar.blocked{background:var(--red)}.bar-value{font-variant-numeric:tabular-nums;color:var(--muted)}
table.states{border-collapse:collapse;font-variant-numeric:tabular-nums}table.states td,table.states th{padding:2px 10px;text-align:right}table.states td:first-child,table.states th:first-child{text-align:left}
.controls{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin-bottom:8px}
.filter{flex:1 1 260px;padding:6px 8px;border:1px solid var(--line);border-radius:6px;font:13px var(--mono)}.filter.bad{border-color:var(--red);background:#fdecea}
.sort{padding:5px;border:1px solid var(--line);border-radius:6px}.info{color:var(--muted)}
ol.rows{list-style:none;margin:0;padding:0}li.row{border-top:1px solid var(--line)}
summary{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline;padding:6px 2px;cursor:pointer}
summary::-webkit-details-marker{display:none}summary::before{content:"\25B8";color:var(--muted);width:10px}details[open]>summary::before{content:"\25BE"}
summary>*{overflow-wrap:anywhere}.idx{color:var(--muted);min-width:42px}.count{font-weight:700;min-width:56px;text-align:right;font-variant-numeric:tabular-nums}
.state{color:var(--muted)}.func.user,.frame.user .func{background:var(--user);font-weight:600;padding:0 3px;border-radius:3px}
.wait,.leaked{color:var(--amber)}.counts{font-variant-numeric:tabular-nums}
.delta{font-weight:700;min-width:48px;font-variant-numeric:tabular-nums}.delta.up{color:var(--red)}.delta.down{color:var(--green)}
.growth{display:inline-block;width:120px;height:10px;background:#eceff4;border-radius:3px;overflow:hidden;vertical-align:middle}.growth span{display:block;height:100%}.growth .up{background:var(--red)}.growth .down{background:var(--green)}
.spark{vertical-align:middle}.spark polyline{fill:none;stroke:var(--blue);stroke-width:1.5}.flagged .spark polyline{stroke:var(--red)}.spark circle{fill:var(--red)}
.flag{color:var(--red);font-weight:700}
.stack{padding:4px 4px 10px 56px}ol.frames{margin:0;padding-left:18px}.frame{margin:1px 0}.frame .loc{color:var(--muted);margin-left:12px}.frame.elided{color:var(--muted);list-style:none}
.created{margin:4px 0 0;font:12.5px var(--mono);color:var(--muted)}
button.more{margin-top:8px;padding:6px 12px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
ul.plain{margin:0;padding-left:18px}
@media (max-width:640px){main{padding:8px}.bar-row{grid-template-columns:90px 1fr 80px}.stack{padding-left:8px}.idx{min-width:0}.count{min-width:0}dl{grid-template-columns:1fr}dt{margin-top:4px}}
)CSS";

const std::string_view kHtmlScript = R"JS(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('gorleak-data').textContent);
  var S = data.strings, K = data.stacks, PAGE = 100;
  var app = document.getElementById('app');
  app.textContent = '';

  // Every string is set as text, never parsed as HTML.
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function plural(n, one, many) { return num(n) + ' ' + (n === 1 ? one : many); }
  function loc(file, line) { return S[file] + (line ? ':' + line : ''); }
  function where(t) { return t ? S[t[0]] + (S[t[1]] ? '  ' + loc(t[1], t[2]) : '') : ''; }
  var BLOCKED = {'chan receive': 1, 'chan send': 1, 'select': 1, 'semacquire': 1, 'IO wait': 1, 'sleep': 1, 'syscall': 1};

  function header() {
    var h = add(app, el('header', 'top'));
    add(h, el('h1', null, 'gorleak'));
    add(h, el('p', 'sub', data.generator));
  }

  function findings(parent, list, title) {
    var sec = add(parent, el('section', 'findings'));
    add(sec, el('h3', null, title + ' (' + list.length + ')'));
    if (!list.length) add(sec, el('p', 'muted', 'No leak rule matched.'));
    list.forEach(function (f) {
      var card = add(sec, el('article', 'finding'));
      card.dataset.rule = f.rule;
      var h = add(card, el('header'));
      add(h, el('span', 'sev sev-' + f.severity, f.severity));
      add(h, el('span', 'rule', f.rule));
      add(h, el('span', 'title', f.title));
      add(card, el('p', 'facts', f.count_text + (f.state ? ' \u00b7 ' + f.state : '') +
          (f.growth_confirmed ? ' \u00b7 growth confirmed' : '') + ' \u00b7 confidence ' + f.confidence));
      var dl = add(card, el('dl'));
      function item(key, value, cls) {
        if (!value) return;
        add(dl, el('dt', null, key));
        add(dl, el('dd', cls, value));
      }
      item('severity', f.severity + (f.rule_severity !== f.severity ? ' (the rule says ' + f.rule_severity + ')' : '') +
          (f.basis ? ': ' + f.basis : '') + ' [' + f.level + ']');
      item('site', where(f.site) + (f.site_in_stdlib ? '  (no frame of your code: library entry point)' : ''), 'mono user-site');
      if (f.blocking && where(f.blocking) !== where(f.site)) item('blocked', where(f.blocking), 'mono');
      item('library', where(f.library), 'mono');
      item('created', where(f.created_by), 'mono');
      if (f.groups.length) item('groups', f.groups.map(function (g) { return '#' + (g + 1); }).join(', '));
      item('evidence', f.evidence);
      item('cause', f.cause);
      item('fix', f.fix, 'fix');
    });
  }

  function stateBars(parent, rows, total) {
    var sec = add(parent, el('section', 'states'));
    add(sec, el('h3', null, 'States'));
    var max = 1;
    rows.forEach(function (r) { max = Math.max(max, r[1]); });
    rows.slice().sort(function (a, b) { return b[1] - a[1]; }).forEach(function (r) {
      var row = add(sec, el('div', 'bar-row'));
      row.dataset.state = r[0];
      add(row, el('span', 'bar-label', r[0]));
      var bar = add(add(row, el('span', 'bar-track')), el('span', BLOCKED[r[0]] ? 'bar blocked' : 'bar'));
      bar.style.width = (100 * r[1] / max).toFixed(1) + '%';
      add(row, el('span', 'bar-value', num(r[1]) + (total ? '  ' + (100 * r[1] / total).toFixed(1) + '%' : '')));
    });
  }

  function userFrame(id) {
    var k = K[id];
    return k[1][k[0] >= 0 ? k[0] : 0] || null;
  }
  function siteCells(summary, id) {
    var f = userFrame(id);
    if (!f) return;
    add(summary, el('span', K[id][0] >= 0 ? 'func user' : 'func', S[f[0]]));
    add(summary, el('span', 'loc', loc(f[1], f[2])));
  }

  function stackView(id) {
    var k = K[id], box = el('div', 'stack');
    var ol = add(box, el('ol', 'frames'));
    if (!k[1].length) add(ol, el('li', 'frame', '(no frames)'));
    k[1].forEach(function (f, i) {
      var li = add(ol, el('li', i === k[0] ? 'frame user' : 'frame'));
      add(li, el('span', 'func', S[f[0]]));
      add(li, el('span', 'loc', loc(f[1], f[2])));
      if (k[3] && k[4] === i + 1)
        add(ol, el('li', 'frame elided', k[3] > 0 ? '\u2026 ' + k[3] + ' frames elided by the runtime' : '\u2026 frames elided by the runtime'));
    });
    if (k[2]) add(box, el('p', 'created', 'created by ' + where(k[2])));
    return box;
  }

  // A list of rows, filtered by a regular expression over the function
  // names and the state, sorted, and drawn PAGE rows at a time.
  function rowList(parent, spec) {
    var sec = add(parent, el('section', 'groups'));
    add(sec, el('h3', null, spec.title));
    var bar = add(sec, el('div', 'controls'));
    var input = add(bar, el('input', 'filter'));
    input.type = 'search';
    input.placeholder = 'filter: regular expression over functions and states';
    input.setAttribute('aria-label', 'filter');
    var sort = add(bar, el('select', 'sort'));
    sort.setAttribute('aria-label', 'sort');
    spec.sorts.forEach(function (s, i) { add(sort, el('option', null, s[0])).value = String(i); });
    var info = add(bar, el('span', 'info'));
    // A link can carry a filter: report.html#filter=chan%20send
    var preset = /[#&]filter=([^&]*)/.exec(location.hash);
    if (preset) try { input.value = decodeURIComponent(preset[1]); } catch (e) { /* keep it empty */ }
    // …#open=N opens the first N rows (a link to a stack, a screenshot).
    var opened = /[#&]open=(\d+)/.exec(location.hash), toOpen = opened ? Number(opened[1]) : 0;
    var list = add(sec, el('ol', 'rows'));
    var more = add(sec, el('button', 'more'));
    more.type = 'button';
    var order = [], drawn = 0;

    function matcher() {
      input.classList.remove('bad');
      if (!input.value) return null;
      var re;
      try { re = new RegExp(input.value); } catch (e) { input.classList.add('bad'); return null; }
      var seen = new Uint8Array(S.length);  // 0 not tested, 1 no, 2 yes
      function hit(id) { if (!seen[id]) seen[id] = re.test(S[id]) ? 2 : 1; return seen[id] === 2; }
      return function (r) {
        if (hit(spec.state(r))) return true;
        var k = K[spec.stack(r)];
        for (var i = 0; i < k[1].length; i++) if (hit(k[1][i][0])) return true;
        return k[2] ? hit(k[2][0]) : false;
      };
    }
    function item(r) {
      var li = el('li', 'row');
      var details = add(li, el('details'));
      spec.summary(r, add(details, el('summary')), li);
      details.addEventListener('toggle', function () {
        if (details.open && !details.lastChild.classList.contains('stack')) details.appendChild(stackView(spec.stack(r)));
      });
      if (toOpen > 0) {
        toOpen--;
        details.open = true;
        details.appendChild(stackView(spec.stack(r)));
      }
      return li;
    }
    function draw() {
      var end = Math.min(order.length, drawn + PAGE);
      var frag = document.createDocumentFragment();
      for (; drawn < end; drawn++) frag.appendChild(item(spec.rows[order[drawn]]));
      list.appendChild(frag);
      info.textContent = num(order.length) + ' of ' + plural(spec.rows.length, spec.noun, spec.noun + 's') +
          (drawn < order.length ? ' (' + num(drawn) + ' drawn)' : '');
      more.hidden = drawn >= order.length;
      more.textContent = 'Show ' + num(Math.min(PAGE, order.length - drawn)) + ' more';
    }
    function refresh() {
      var match = matcher(), cmp = spec.sorts[Number(sort.value)][1];
      order = [];
      for (var i = 0; i < spec.rows.length; i++) if (!match || match(spec.rows[i])) order.push(i);
      if (cmp) order.sort(function (a, b) { return cmp(spec.rows[a], spec.rows[b]) || a - b; });
      list.textContent = '';
      drawn = 0;
      draw();
    }
    var timer = 0;
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
    sort.addEventListener('change', refresh);
    more.addEventListener('click', draw);
    if ('IntersectionObserver' in window)
      new IntersectionObserver(function (e) { if (e[0].isIntersecting && !more.hidden) draw(); }).observe(more);
    refresh();
  }

  function analyze() {
    data.snapshots.forEach(function (s, si) {
      var sec = add(app, el('section', 'snapshot'));
      sec.dataset.snapshot = String(si);
      add(sec, el('h2', null, (data.snapshots.length > 1 ? '#' + (si + 1) + '  ' : '') + s.source));
      var meta = s.form + ' dump \u00b7 ' + plural(s.total, 'goroutine', 'goroutines') + ' \u00b7 ' + plural(s.group_count, 'group', 'groups');
      if (s.leaked) meta += ' \u00b7 ' + num(s.leaked) + ' marked (leaked) by the runtime';
      if (s.leak_report !== 'none') meta += ' \u00b7 a ' + s.leak_report + ' report';
      add(sec, el('p', 'meta', meta));
      if (s.cause) add(sec, el('p', 'meta', 'cause: ' + s.cause));
      if (s.truncated) add(sec, el('p', 'warn', 'The dump is cut short: counts are a lower bound.'));
      s.diagnostics.forEach(function (d) { add(sec, el('p', 'warn', d)); });
      findings(sec, s.findings, 'Findings');
      stateBars(sec, s.states, s.total);
      rowList(sec, {
        title: 'Groups', noun: 'group', rows: s.groups,
        state: function (g) { return g[2]; }, stack: function (g) { return g[3]; },
        sorts: [['largest first', null], ['smallest first', function (a, b) { return a[1] - b[1]; }],
                ['dump order', function (a, b) { return a[0] - b[0]; }]],
        summary: function (g, sum, li) {
          li.dataset.group = String(g[0]);
          add(sum, el('span', 'idx', '#' + (g[0] + 1)));
          add(sum, el('span', 'count', num(g[1])));
          add(sum, el('span', 'state', S[g[2]]));
          siteCells(sum, g[3]);
          if (g[5] >= 0) add(sum, el('span', 'wait', 'wait ' + (g[4] >= 0 && g[4] !== g[5] ? g[4] + '\u2013' : '') + g[5] + ' min'));
          if (g[6]) add(sum, el('span', 'leaked', num(g[6]) + ' leaked'));
        }
      });
    });
  }

  function dumpsLine(parent) {
    add(parent, el('p', 'meta', data.dumps.map(function (d) {
      return d.name + ' (' + d.form + ', ' + num(d.total) + ')';
    }).join('  \u2192  ')));
  }

  function stateTable(parent) {
    var sec = add(parent, el('section', 'states'));
    add(sec, el('h3', null, 'States'));
    var table = add(sec, el('table', 'states'));
    var head = add(table, el('tr'));
    add(head, el('th', null, 'state'));
    data.dumps.forEach(function (d, i) { add(head, el('th', null, '#' + (i + 1))); });
    add(head, el('th', null, 'delta'));
    add(head, el('th'));
    var max = 1;
    data.states.forEach(function (r) { r[1].forEach(function (n) { max = Math.max(max, n); }); });
    data.states.forEach(function (r) {
      var tr = add(table, el('tr'));
      tr.dataset.state = r[0];
      add(tr, el('td', null, r[0]));
      r[1].forEach(function (n) { add(tr, el('td', null, num(n))); });
      var delta = r[1][r[1].length - 1] - r[1][0];
      add(tr, el('td', delta > 0 ? 'delta up' : delta < 0 ? 'delta down' : 'delta', (delta > 0 ? '+' : '') + num(delta)));
      var cell = add(tr, el('td'));
      r[1].forEach(function (n) {
        var track = add(cell, el('span', 'growth'));
        track.style.width = '48px';
        track.style.marginRight = '3px';
        add(track, el('span', BLOCKED[r[0]] ? 'up' : '')).style.width = (100 * n / max).toFixed(1) + '%';
      });
    });
  }

  function diff() {
    var sec = add(app, el('section', 'snapshot'));
    dumpsLine(sec);
    var bad = data.rows.some(function (r) { return r[0] === 'stayed' || (!data.three_way && (r[0] === 'new' || r[0] === 'grown')); });
    add(sec, el('p', bad ? 'verdict bad' : 'verdict', data.verdict));
    stateTable(sec);
    if (data.classified) findings(sec, data.findings, 'Findings in ' + data.focus);
    var maxDelta = 1;
    data.rows.forEach(function (r) { maxDelta = Math.max(maxDelta, Math.abs(r[2])); });
    rowList(sec, {
      title: 'Groups, largest change first', noun: 'group', rows: data.rows,
      state: function (r) { return r[3]; }, stack: function (r) { return r[4]; },
      sorts: [['largest change first', null],
              ['growth first', function (a, b) { return b[2] - a[2]; }],
              ['largest now', function (a, b) { return b[1][b[1].length - 1] - a[1][a[1].length - 1]; }],
              ['smallest now', function (a, b) { return a[1][a[1].length - 1] - b[1][b[1].length - 1]; }]],
      summary: function (r, sum, li) {
        li.dataset.status = r[0];
        add(sum, el('span', 'status status-' + r[0], r[0]));
        add(sum, el('span', 'counts', r[1].map(num).join(' \u2192 ')));
        add(sum, el('span', r[2] > 0 ? 'delta up' : r[2] < 0 ? 'delta down' : 'delta', (r[2] > 0 ? '+' : '') + num(r[2])));
        var track = add(sum, el('span', 'growth'));
        add(track, el('span', r[2] >= 0 ? 'up' : 'down')).style.width = (100 * Math.abs(r[2]) / maxDelta).toFixed(1) + '%';
        add(sum, el('span', 'state', S[r[3]]));
        siteCells(sum, r[4]);
      }
    });
    if (data.spawned.length) {
      var sp = add(sec, el('section', 'spawned'));
      add(sp, el('h3', null, 'Who spawned them'));
      var ul = add(sp, el('ul', 'plain'));
      data.spawned.forEach(function (t) { add(ul, el('li', 'mono', t)); });
    }
  }

  var SVG = 'http://www.w3.org/2000/svg';
  function spark(counts) {
    var w = 140, h = 30, max = Math.max.apply(null, counts.concat([1]));
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('width', w);
    svg.setAttribute('height', h);
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    var pts = counts.map(function (c, i) {
      var x = counts.length > 1 ? 3 + i * (w - 6) / (counts.length - 1) : w / 2;
      return [x, h - 3 - (h - 6) * c / max];
    });
    var line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', pts.map(function (p) { return p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join(' '));
    svg.appendChild(line);
    var last = pts[pts.length - 1], dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('cx', last[0].toFixed(1));
    dot.setAttribute('cy', last[1].toFixed(1));
    dot.setAttribute('r', '2.5');
    svg.appendChild(dot);
    return svg;
  }

  function trend() {
    var sec = add(app, el('section', 'snapshot'));
    dumpsLine(sec);
    add(sec, el('p', data.flagged ? 'verdict bad' : 'verdict', data.verdict));
    stateTable(sec);
    rowList(sec, {
      title: 'Groups over the series', noun: 'group', rows: data.rows,
      state: function (r) { return r[4]; }, stack: function (r) { return r[5]; },
      sorts: [['flagged, then growth', null],
              ['fastest growth', function (a, b) { return b[3] - a[3]; }],
              ['largest now', function (a, b) { return b[0][b[0].length - 1] - a[0][a[0].length - 1]; }]],
      summary: function (r, sum, li) {
        if (r[1]) li.classList.add('flagged');
        li.dataset.flagged = r[1] ? '1' : '0';
        add(sum, el('span', 'flag', r[1] ? '!' : ''));
        var grows = r[0].some(function (c) { return c !== r[0][0]; });
        if (grows) sum.appendChild(spark(r[0]));
        add(sum, el('span', 'counts', r[0].map(num).join(' ')));
        add(sum, el('span', r[3] > 0 ? 'delta up' : r[3] < 0 ? 'delta down' : 'delta', (r[3] > 0 ? '+' : '') + r[3].toFixed(1) + '/dump'));
        if (r[2]) add(sum, el('span', 'muted', 'only grows'));
        add(sum, el('span', 'state', S[r[4]]));
        siteCells(sum, r[5]);
      }
    });
  }

  header();
  if (data.kind === 'diff') diff();
  else if (data.kind === 'trend') trend();
  else analyze();
  document.body.dataset.ready = '1';
})();
)JS";

}  // namespace gorleak
