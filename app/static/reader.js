// The reader page: selecting words of the source's text (mouse or keyboard) offers to record a
// claim or a dispute with them as the quote, the forms prefilled with the source, the words, the
// words around them, and where they are (character offsets into the stored text).
(function () {
  "use strict";
  var CONTEXT = 32;
  var reader = document.getElementById("reader");
  var bar = document.getElementById("quote-actions");
  if (!reader || !bar) return;
  var claimLink = document.getElementById("record-claim");
  var disputeLink = document.getElementById("add-dispute");
  var disputeClaim = document.getElementById("dispute-claim");
  var current = null;

  function paragraphOf(node) {
    var el = node.nodeType === 3 ? node.parentElement : node;
    return el && el.closest ? el.closest("p[data-start]") : null;
  }

  // the offset, within its paragraph's text, of a boundary point of the selection
  function offsetIn(p, node, offset) {
    if (node.nodeType !== 3) {  // a point between children: count the text before that child
      var before = document.createRange();
      before.setStart(p, 0);
      before.setEnd(node, offset);
      return before.toString().length;
    }
    var walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT), n = 0;
    while (walker.nextNode()) {
      if (walker.currentNode === node) return n + offset;
      n += walker.currentNode.length;
    }
    return n;
  }

  function selected() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return null;
    var r = sel.getRangeAt(0);
    var p1 = paragraphOf(r.startContainer), p2 = paragraphOf(r.endContainer);
    if (!p1 || !p2 || !reader.contains(p1) || !reader.contains(p2)) return null;
    var a = offsetIn(p1, r.startContainer, r.startOffset), b = offsetIn(p2, r.endContainer, r.endOffset);
    var t1 = p1.textContent, t2 = p2.textContent;
    var exact = p1 === p2 ? t1.slice(a, b) : sel.toString();
    // white space at the ends of a selection is not part of the quote
    var lead = exact.length - exact.replace(/^\s+/, "").length;
    var trail = exact.length - exact.replace(/\s+$/, "").length;
    exact = exact.trim();
    if (!exact) return null;
    var start = Number(p1.dataset.start) + a + lead, end = Number(p2.dataset.start) + b - trail;
    return {
      exact: exact, start: start, end: end,
      prefix: t1.slice(Math.max(0, a + lead - CONTEXT), a + lead),
      suffix: t2.slice(b - trail, b - trail + CONTEXT),
      rect: r.getBoundingClientRect()
    };
  }

  function query(q) {
    var src = reader.dataset.source;
    var params = new URLSearchParams({
      sources: src, quote_source: src, quote: q.exact, quote_prefix: q.prefix, quote_suffix: q.suffix,
      quote_start: String(q.start), quote_end: String(q.end)
    });
    return "?" + params.toString();
  }

  function update() {
    var q = selected();
    if (!q) {
      // keep the buttons while the user moves to them (focus inside the bar)
      if (!bar.contains(document.activeElement)) { bar.hidden = true; current = null; }
      return;
    }
    current = q;
    claimLink.href = reader.dataset.claimUrl + query(q);
    if (disputeLink && disputeClaim) {
      disputeLink.href = reader.dataset.disputeUrl.replace("__claim__", encodeURIComponent(disputeClaim.value)) + query(q);
    }
    bar.hidden = false;
    var box = reader.getBoundingClientRect();
    // above the selection (below it when there is no room), never over the words selected
    var above = q.rect.top - box.top - bar.offsetHeight - 6;
    bar.style.top = (above >= 0 ? above : q.rect.bottom - box.top + 6) + "px";
    bar.style.left = Math.max(0, Math.min(q.rect.left - box.left, box.width - bar.offsetWidth)) + "px";
  }

  var pending = null;
  document.addEventListener("selectionchange", function () {
    clearTimeout(pending);
    pending = setTimeout(update, 60);
  });
  // a selection just made with the mouse is offered at once (a quick click must not open the last one)
  reader.addEventListener("mouseup", function () { clearTimeout(pending); setTimeout(update, 0); });
  if (disputeClaim) disputeClaim.addEventListener("change", function () { if (current) update(); });
  // keyboard: Tab to a paragraph, Shift+arrows (with Ctrl: by word) select, Enter goes to the
  // buttons, Escape hides them
  reader.querySelectorAll("p[data-start]").forEach(function (p) {
    p.tabIndex = 0;
    p.addEventListener("keydown", function (e) {
      var sel = window.getSelection();
      if (e.shiftKey && (e.key === "ArrowRight" || e.key === "ArrowLeft") && sel.modify) {
        if (!p.contains(sel.anchorNode)) {
          var first = document.createTreeWalker(p, NodeFilter.SHOW_TEXT).nextNode();
          if (!first) return;
          sel.collapse(first, 0);
        }
        sel.modify("extend", e.key === "ArrowRight" ? "forward" : "backward", e.ctrlKey ? "word" : "character");
        e.preventDefault();
      } else if (e.key === "Enter" && !sel.isCollapsed) {
        update();
        if (!bar.hidden) { claimLink.focus(); e.preventDefault(); }
      }
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { bar.hidden = true; }
  });
})();
