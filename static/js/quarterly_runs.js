// Live progress of the quarterly review runs: every row still running (data-run-status-url)
// asks the server for its status every 2 seconds and updates its bar, step, status and counts,
// until the run is done or failed.
(function () {
  var INTERVAL = 2000;
  var rows = document.querySelectorAll("tr[data-run-status-url]");
  if (!rows.length || !window.fetch) { return; }

  function text(row, role, value) {
    var cell = row.querySelector("[data-role='" + role + "']");
    if (cell) { cell.textContent = value; }
    return cell;
  }

  function counts(data) {
    return (data.counts || []).map(function (count) {
      return count.label + "：" + count.rows;
    }).join("；") || "—";
  }

  function poll(row) {
    var url = row.getAttribute("data-run-status-url");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        var bar = row.querySelector("[data-role='bar']");
        if (bar) { bar.style.width = data.percent + "%"; }
        var progress = row.querySelector("[role='progressbar']");
        if (progress) { progress.setAttribute("aria-valuenow", data.percent); }
        text(row, "step", data.step);
        var status = text(row, "status", data.status_display);
        if (status) { status.classList.toggle("run-error", data.status === "failed"); }
        text(row, "counts", counts(data));
        text(row, "finished", data.finished_at || "—");
        if (data.running) { window.setTimeout(function () { poll(row); }, INTERVAL); }
      })
      .catch(function () { window.setTimeout(function () { poll(row); }, INTERVAL * 5); });
  }

  rows.forEach(function (row) { window.setTimeout(function () { poll(row); }, INTERVAL); });
})();
