/* "Download my progress": every self-check answer kept in this browser, as one progress file in
 * the format JupyterLab writes (simlib/exercises/progress.py, "simlib-progress/1"), named
 * <reader>.json, for `simlib progress summarize`. Runs offline (a Blob download, no network). */
SQ.READER = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;
SQ.progressFile = function (reader) {
  var chapters = {};
  try {
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i);
      if (k && k.indexOf("simlib.progress.") === 0) chapters[k.slice(16)] = SQ.store.get(k, {});
    }
  } catch (e) { /* storage blocked: an empty file still says who tried */ }
  return {format: "simlib-progress/1", reader: reader, chapters: chapters};
};
SQ.exportButton = function (id) {
  var root = document.getElementById(id);
  if (!root || root.querySelector(".sq-export")) return;
  var box = SQ.el("div", "sq-export");
  var name = SQ.el("input");
  name.type = "text"; name.placeholder = "your name or student id"; name.size = 24;
  name.setAttribute("aria-label", "your name or student id");
  name.value = SQ.store.get("simlib.reader.name", "");
  var btn = SQ.el("button", "sq-btn", "Download my progress");
  var msg = SQ.el("span", "sq-export-msg");
  btn.onclick = function () {
    var reader = name.value.trim();
    if (!SQ.READER.test(reader)) {
      msg.textContent = " Type a name of letters, digits, '_', '.' or '-' first (it names the file).";
      return;
    }
    SQ.store.set("simlib.reader.name", reader);
    var blob = new Blob([JSON.stringify(SQ.progressFile(reader), null, 1)], {type: "application/json"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = reader + ".json";
    document.body.appendChild(a); a.click(); a.remove();
    msg.textContent = " Saved " + reader + ".json (every chapter answered in this browser): hand it in.";
  };
  box.appendChild(name); box.appendChild(btn); box.appendChild(msg);
  root.appendChild(box);
};
