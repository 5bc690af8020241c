/* Waiting pages (the PDF, an application being verified, a handover act being
   prepared): ask the server for the same page again every few seconds and show
   it once it is no longer a waiting page. No meta refresh: a page that reloads
   itself on a timer fails WCAG 2.2.1. Without JavaScript the page's "Check
   again" link does the same by hand. Marker: an element with data-poll="ms". */
(function () {
  "use strict";
  var marker = document.querySelector("[data-poll]");
  if (!marker || !window.fetch) { return; }
  var every = parseInt(marker.getAttribute("data-poll"), 10) || 2000;
  var left = Math.ceil(300000 / every); // give up after ~5 minutes: the link stays
  function again() {
    left -= 1;
    if (left < 0) { return; }
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.text().then(function (body) {
          if (body.indexOf("data-poll=") === -1) {
            window.location.replace(response.url);
          } else {
            window.setTimeout(again, every);
          }
        });
      })
      .catch(function () { window.setTimeout(again, every * 2); });
  }
  window.setTimeout(again, every);
})();
