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
