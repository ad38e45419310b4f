// The query page's editor: CodeMirror 5 with SPARQL highlighting over the plain
// textarea (the page works without it). Ctrl/Cmd-Enter runs the query.
(function () {
  var area = document.getElementById("query");
  if (!area || !window.CodeMirror) return;
  var editor = CodeMirror.fromTextArea(area, {
    mode: "application/sparql-query", lineNumbers: true, matchBrackets: true, indentUnit: 2,
    extraKeys: {
      "Ctrl-Enter": function () { editor.save(); area.form.submit(); },
      "Cmd-Enter": function () { editor.save(); area.form.submit(); }
    }
  });
  area.form.addEventListener("submit", function () { editor.save(); });
  window.claimkbEditor = editor;
})();
