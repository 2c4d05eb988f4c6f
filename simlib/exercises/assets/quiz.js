/* simlib self-checks in the browser: no kernel, no network.
 * Choice, true/false and numeric questions are drawn by jupyterquiz (inlined above as JQ);
 * this file adds what it lacks: fill in the blank with tolerant matching, ordering,
 * self-assessed short answers, parameterized numbers per reader, hints, explanations,
 * scoring and progress (kept in this browser's localStorage). */
var SQ = {};
SQ.store = {
  get: function (k, d) { try { var v = localStorage.getItem(k); return v ? JSON.parse(v) : d; } catch (e) { return d; } },
  set: function (k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* private mode */ } }
};
SQ.reader = function () {
  var r = SQ.store.get("simlib.reader", null);
  if (!r) { r = Math.random().toString(36).slice(2, 10); SQ.store.set("simlib.reader", r); }
  return r;
};
SQ.hash = function (s) { var h = 2166136261; for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); } return h >>> 0; };
SQ.norm = function (s) {
  s = String(s).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
  return s.replace(/^[\s.,;:!?"'`]+|[\s.,;:!?"'`]+$/g, "");
};
SQ.el = function (tag, cls, html) { var e = document.createElement(tag); if (cls) e.className = cls; if (html !== undefined) e.innerHTML = html; return e; };
SQ.esc = function (s) { return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); };
SQ.fmt = function (x) { return Math.abs(x) < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(3); };

SQ.record = function (root, q, score, correct, answer) {
  var key = "simlib.progress." + root.dataset.chapter;
  var all = SQ.store.get(key, {});
  var e = all[q.id] || {attempts: 0, first_score: score, best_score: 0, solved: false};
  e.attempts += 1; e.best_score = Math.max(e.best_score, score); e.solved = e.solved || correct;
  e.last_answer = answer; e.last_score = score; e.updated = new Date().toISOString();
  all[q.id] = e; SQ.store.set(key, all);
  SQ.summary(root);
  var box = root.querySelector('[data-qid="' + q.id + '"]');
  if (box) {
    box.dataset.state = correct ? "correct" : "incorrect";
    var st = box.querySelector(".sq-status");
    st.textContent = (correct ? "\u2714 " : "\u2718 ") + "attempt " + e.attempts +
      (e.solved ? ", solved" : "") + ", first-try score " + Math.round(100 * e.first_score) + "%";
    var rv = box.querySelector(".sq-reveal");
    if (rv) rv.style.display = "inline-block";
    if (correct) SQ.explain(box, q);
  }
};
SQ.summary = function (root) {
  var all = SQ.store.get("simlib.progress." + root.dataset.chapter, {});
  var ids = JSON.parse(root.dataset.allids), answered = 0, solved = 0, first = 0;
  ids.forEach(function (id) { var e = all[id]; if (e) { answered++; if (e.solved) solved++; first += e.first_score; } });
  var bar = root.querySelector(".sq-summary");
  bar.innerHTML = "Chapter progress in this browser: <b>" + answered + "/" + ids.length + "</b> answered, " +
    solved + " solved, first-try score " + Math.round(100 * first / ids.length) + "%" +
    '<div class="sq-bar"><div style="width:' + (100 * answered / ids.length) + '%"></div></div>';
};
SQ.explain = function (box, q) {
  var ex = box.querySelector(".sq-explanation");
  var extra = "";
  if (q.type === "numeric") extra = "<p><b>Answer:</b> " + SQ.fmt(q.v.answer) + " " + SQ.esc(q.units) + "</p>";
  if (q.type === "fill") extra = "<p><b>Accepted:</b> " + q.answers.map(SQ.esc).join(", ") + "</p>";
  if (q.type === "ordering") extra = "<ol>" + q.items.map(function (t) { return "<li>" + SQ.esc(t) + "</li>"; }).join("") + "</ol>";
  if (q.type === "choice") extra = "<p><b>Correct:</b> " + q.correct.map(function (i) { return SQ.esc(q.choices[i]); }).join("; ") + "</p>";
  if (q.type === "truefalse") extra = "<p><b>Answer:</b> " + (q.answer ? "True" : "False") + "</p>";
  ex.innerHTML = extra + "<p>" + SQ.esc(q.explanation) + "</p>";
  ex.style.display = "block";
};

/* jupyterquiz-drawn types: watch its feedback element for the verdict */
SQ.jq = function (root, box, body, q) {
  var spec;
  if (q.type === "numeric") {
    spec = {type: "numeric", question: "", answers: [
      {type: "range", range: [q.v.low, q.v.high + 1e-12 * Math.abs(q.v.high)], correct: true, feedback: "Correct."},
      {type: "range", range: [-1e300, q.v.low], correct: false, feedback: "Too low: not within tolerance."},
      {type: "range", range: [q.v.high, 1e300], correct: false, feedback: "Too high: not within tolerance."},
      {type: "default", feedback: "Please enter a number, then press Enter."}]};
  } else if (q.type === "truefalse") {
    spec = {type: "multiple_choice", question: "", answers: [
      {answer: "True", correct: q.answer === true, feedback: q.answer === true ? "Correct." : "No."},
      {answer: "False", correct: q.answer === false, feedback: q.answer === false ? "Correct." : "No."}]};
  } else {
    spec = {type: q.multiple ? "many_choice" : "multiple_choice", question: "",
      answers: q.choices.map(function (t, i) {
        var ok = q.correct.indexOf(i) >= 0;
        return {answer: SQ.esc(t), correct: ok, feedback: ok ? "Correct." : (q.feedback[i] ? SQ.esc(q.feedback[i]) : "Not this one.")};
      })};
  }
  var holder = SQ.el("div", "sq-jq");
  holder.dataset.shuffleanswers = q.type === "choice" ? "True" : "False";
  holder.dataset.shufflequestions = "False"; holder.dataset.preserveresponses = "false";
  holder.dataset.numquestions = "1"; holder.dataset.maxwidth = "0";
  body.appendChild(holder);
  JQ.show_questions([spec], holder);
  var fb = holder.querySelector(".Feedback");
  function verdict() {
    if (!fb.classList.contains("correct") && !fb.classList.contains("incorrect")) return;
    var ok = fb.classList.contains("correct"), ans;
    if (q.type === "numeric") ans = (holder.querySelector("input") || {}).value;
    else ans = Array.prototype.map.call(holder.querySelectorAll(".correctButton,.incorrectButton"), function (l) { return l.textContent.trim(); });
    if (q.type === "choice" && q.multiple && ok) {
      if (Number(fb.dataset.answeredcorrect) < Number(fb.dataset.numcorrect)) return; /* not all picked yet */
      SQ.record(root, q, box.dataset.wrong ? 0 : 1, true, ans); return;
    }
    if (!ok) box.dataset.wrong = "1";
    SQ.record(root, q, ok ? 1 : 0, ok, ans);
  }
  /* jupyterquiz handles the event on the label or input first; we read its verdict after it.
     A click on a label also fires a click on its hidden input: count the label's only. */
  holder.addEventListener("click", function (e) {
    if (e.target.tagName === "INPUT" || !e.target.closest("label.MCButton")) return;
    setTimeout(verdict, 0);
  });
  holder.addEventListener("keypress", function (e) {
    if (e.key === "Enter" || e.keyCode === 13) setTimeout(verdict, 0);
  });
};

SQ.fill = function (root, box, body, q) {
  var inp = SQ.el("input", "sq-input"); inp.type = "text"; inp.placeholder = "your answer";
  var btn = SQ.el("button", "sq-btn", "Check"); var fb = SQ.el("div", "sq-feedback");
  function check() {
    var got = q.case_sensitive ? inp.value.replace(/\s+/g, " ").trim() : SQ.norm(inp.value);
    var ok = q.answers.some(function (a) { return (q.case_sensitive ? a.replace(/\s+/g, " ").trim() : SQ.norm(a)) === got; });
    fb.textContent = ok ? "Correct." : "Not the word we are looking for."; fb.className = "sq-feedback " + (ok ? "correct" : "incorrect");
    SQ.record(root, q, ok ? 1 : 0, ok, inp.value);
  }
  btn.onclick = check; inp.addEventListener("keydown", function (e) { if (e.key === "Enter") check(); });
  body.appendChild(inp); body.appendChild(btn); body.appendChild(fb);
};

SQ.ordering = function (root, box, body, q) {
  var n = q.items.length, order = [], seed = SQ.hash(SQ.reader() + q.id);
  for (var i = 0; i < n; i++) order.push(i);
  for (var k = n - 1; k > 0; k--) { seed = SQ.hash(String(seed)); var j = seed % (k + 1); var t = order[k]; order[k] = order[j]; order[j] = t; }
  if (order.every(function (v, i) { return v === i; })) order.reverse();
  var list = SQ.el("ol", "sq-order"), fb = SQ.el("div", "sq-feedback");
  function draw() {
    list.innerHTML = "";
    order.forEach(function (item, pos) {
      var li = SQ.el("li", "sq-item"); li.dataset.item = item;
      var up = SQ.el("button", "sq-move", "\u2191"); up.title = "move up"; up.disabled = pos === 0;
      var dn = SQ.el("button", "sq-move", "\u2193"); dn.title = "move down"; dn.disabled = pos === n - 1;
      up.onclick = function () { var t = order[pos - 1]; order[pos - 1] = order[pos]; order[pos] = t; draw(); };
      dn.onclick = function () { var t = order[pos + 1]; order[pos + 1] = order[pos]; order[pos] = t; draw(); };
      li.appendChild(up); li.appendChild(dn); li.appendChild(SQ.el("span", "sq-item-text", SQ.esc(q.items[item])));
      list.appendChild(li);
    });
  }
  draw();
  var btn = SQ.el("button", "sq-btn", "Check order");
  btn.onclick = function () {
    var placed = order.filter(function (v, i) { return v === i; }).length, ok = placed === n;
    fb.textContent = ok ? "Correct order." : placed + " of " + n + " items are in the right place.";
    fb.className = "sq-feedback " + (ok ? "correct" : "incorrect");
    SQ.record(root, q, ok ? 1 : placed / n, ok, order.slice());
  };
  body.appendChild(list); body.appendChild(btn); body.appendChild(fb);
};

SQ.short = function (root, box, body, q) {
  var ta = SQ.el("textarea", "sq-text"); ta.rows = 4; ta.placeholder = "Write your answer, then compare it with the model answer.";
  var btn = SQ.el("button", "sq-btn", "Compare with the model answer"), panel = SQ.el("div", "sq-model");
  panel.style.display = "none";
  panel.innerHTML = "<p><b>Model answer:</b> " + SQ.esc(q.model_answer) + "</p><p>Tick what your answer covers:</p>" +
    q.rubric.map(function (r, i) { return '<label class="sq-rubric"><input type="checkbox" value="' + i + '"> ' + SQ.esc(r) + "</label>"; }).join("");
  var rec = SQ.el("button", "sq-btn", "Record my self-assessment"), fb = SQ.el("div", "sq-feedback");
  btn.onclick = function () { panel.style.display = "block"; };
  rec.onclick = function () {
    var ticked = Array.prototype.filter.call(panel.querySelectorAll("input"), function (c) { return c.checked; }).map(function (c) { return Number(c.value); });
    var score = ticked.length / q.rubric.length;
    fb.textContent = "Self-assessed: " + ticked.length + " of " + q.rubric.length + " rubric points.";
    fb.className = "sq-feedback " + (score === 1 ? "correct" : "incorrect");
    SQ.record(root, q, score, score === 1, {text: ta.value, rubric: ticked});
  };
  panel.appendChild(rec);
  body.appendChild(ta); body.appendChild(btn); body.appendChild(panel); body.appendChild(fb);
};

SQ.render = function (root, q, variant) {
  var box = SQ.el("div", "sq-question"); box.dataset.qid = q.id; box.dataset.type = q.type;
  var labels = {choice: q.multiple ? "Select all that apply" : "Multiple choice", truefalse: "True or false", numeric: "Numeric",
    fill: "Fill in the blank", ordering: "Ordering", short: "Short answer (self-assessed)"};
  box.appendChild(SQ.el("div", "sq-head", labels[q.type] + ' <span class="sq-objective">\u2014 ' + SQ.esc(q.objective) + "</span>"));
  var prompt = q.prompt;
  if (q.type === "numeric") {
    q.v = q.variants[variant % q.variants.length];
    prompt = q.v.prompt;
  }
  box.appendChild(SQ.el("div", "sq-prompt", SQ.esc(prompt) + (q.type === "numeric" && q.units ? ' <span class="sq-units">(' + SQ.esc(q.units) + ")</span>" : "")));
  var body = SQ.el("div", "sq-body"); box.appendChild(body);
  if (q.type === "fill") SQ.fill(root, box, body, q);
  else if (q.type === "ordering") SQ.ordering(root, box, body, q);
  else if (q.type === "short") SQ.short(root, box, body, q);
  else SQ.jq(root, box, body, q);
  var tools = SQ.el("div", "sq-tools");
  (q.hints || []).forEach(function (h, i) {
    var b = SQ.el("button", "sq-link", "Hint" + (q.hints.length > 1 ? " " + (i + 1) : "")), p = SQ.el("div", "sq-hint", SQ.esc(h));
    p.style.display = "none"; b.onclick = function () { p.style.display = "block"; }; tools.appendChild(b); box.appendChild(p);
  });
  if (q.type !== "short") {
    var rv = SQ.el("button", "sq-link sq-reveal", "Show answer and explanation"); rv.style.display = "none";
    rv.onclick = function () { SQ.explain(box, q); }; tools.appendChild(rv);
  }
  if (q.type === "numeric" && q.variants.length > 1) {
    var other = SQ.el("button", "sq-link", "Other numbers");
    other.onclick = function () { var nb = SQ.render(root, q, variant + 1); box.replaceWith(nb); };
    tools.appendChild(other);
  }
  box.insertBefore(tools, body.nextSibling);
  box.appendChild(SQ.el("div", "sq-explanation")).style.display = "none";
  box.appendChild(SQ.el("div", "sq-status"));
  return box;
};

SQ.mount = function (id) {
  var root = document.getElementById(id);
  if (!root || root.dataset.mounted) return;
  root.dataset.mounted = "1";
  var data = JSON.parse(root.querySelector("script.simlib-quiz-data").textContent);
  root.dataset.chapter = data.chapter; root.dataset.allids = JSON.stringify(data.all_ids);
  var reader = SQ.reader();
  data.questions.forEach(function (q) {
    var variant = q.variants ? SQ.hash(reader + data.chapter + q.id) % q.variants.length : 0;
    root.appendChild(SQ.render(root, q, variant));
  });
  root.appendChild(SQ.el("div", "sq-summary"));
  SQ.summary(root);
};
window.SimlibQuiz = SQ;
