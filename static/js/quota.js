// Live 优秀 quota of the grading grid: counts the rows set to 优秀 (plus those given in the unit
// outside the grid, data-base) against the cap the server rendered (data-cap).
(function () {
  var indicator = document.getElementById("quota-indicator");
  var grid = document.getElementById("grade-grid");
  if (!indicator || !grid) { return; }
  var cap = parseInt(indicator.getAttribute("data-cap"), 10) || 0;
  var base = parseInt(indicator.getAttribute("data-base"), 10) || 0;
  var excellent = indicator.getAttribute("data-excellent");
  var count = indicator.querySelector("[data-testid='quota-count']");

  function update() {
    var n = base;
    grid.querySelectorAll("select[data-grade]").forEach(function (select) {
      if (select.value === excellent) { n += 1; }
    });
    count.textContent = n + " / " + cap;
    indicator.classList.toggle("over", n > cap);
  }

  grid.addEventListener("change", function (event) {
    if (event.target.matches("select[data-grade]")) { update(); }
  });
  update();
})();
