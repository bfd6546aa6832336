// A job's page (cop/jobs): while the job runs, fetch the page again every few seconds and put its
// progress in place (the region is aria-live, so a screen reader hears the new step); when the job has
// ended, load the page once more to show the outcome. Without JavaScript the page offers "Check progress"
// and a self-refresh the person turns on (an HTTP Refresh header, jobs_views.show); this hides them.
(function () {
  var region = document.querySelector("[data-job-running]");
  if (!region) return;
  var seconds = Number(region.getAttribute("data-refresh-seconds")) || 2;
  var fallback = region.querySelector(".cop-job-check");
  if (fallback) fallback.hidden = true;
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-job-running]");
        if (!fresh) { window.location.reload(); return; }
        region.querySelector(".cop-job-status").innerHTML = fresh.querySelector(".cop-job-status").innerHTML;
        window.setTimeout(poll, seconds * 1000);
      })
      .catch(function () { window.setTimeout(poll, seconds * 2000); });
  }
  window.setTimeout(poll, seconds * 1000);
})();
