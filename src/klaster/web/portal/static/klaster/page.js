// Page behaviour bound here rather than in inline handlers (onchange=, onclick=), which
// the Content-Security-Policy forbids (script-src 'self' + nonce; see docs/web.md).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest ? event.target.closest("[data-print]") : null;
  if (el) { window.print(); }
});
// A large document (the analysis report) is framed only when asked for: a button with
// data-load-frame="<iframe id>" copies the frame's data-src into src and shows it.
document.addEventListener("click", function (event) {
  var el = event.target.closest ? event.target.closest("[data-load-frame]") : null;
  if (!el) { return; }
  var frame = document.getElementById(el.getAttribute("data-load-frame"));
  if (!frame) { return; }
  if (!frame.getAttribute("src")) { frame.setAttribute("src", frame.getAttribute("data-src")); }
  frame.hidden = false;
  el.hidden = true;
  frame.focus();
});
// Every table of the page's main part scrolls in its own box (Bootstrap .table-responsive)
// rather than widening the page on a phone; site.css already keeps an unwrapped table from
// widening it, this only lets a wrapped one fill the width. A box that scrolls is focusable
// so that a keyboard user can scroll it (WCAG 2.1.1).
function wrapTables(root) {
  var tables = (root || document).querySelectorAll("main table");
  for (var i = 0; i < tables.length; i++) {
    var table = tables[i], parent = table.parentNode;
    var box = parent;
    if (!(parent.classList && parent.classList.contains("table-responsive"))) {
      box = document.createElement("div");
      box.className = "table-responsive";
      parent.insertBefore(box, table);
      box.appendChild(table);
    }
    // A template's own wrapper too: one that scrolls must be reachable by keyboard.
    if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) { box.tabIndex = 0; }
  }
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", function () { wrapTables(); });
} else {
  wrapTables();
}
