// Live markup preview: re-asks the server for the preview table as the owner types.
// Progressive: without this script the "Pratinjau" button does the same with a page load.
(function () {
  "use strict";
  var form = document.getElementById("markup-form");
  var target = document.getElementById("preview");
  if (!form || !target) { return; }
  var timer = null;
  function refresh() {
    var body = new FormData(form);
    body.set("action", "preview");
    fetch(form.dataset.preview, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { target.innerHTML = html; })
      .catch(function () { /* keep the last preview; the button still works */ });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
